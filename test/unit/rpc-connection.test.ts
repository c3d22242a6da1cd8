// One control-API connection (src/rpc/server.ts) over a fake stream and a fake clock: prototype
// names, deadlines, eviction order, answers written as the client reads them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeCall, parseResponse, type RpcValue } from "../../src/rpc/codec.ts";
import {
  LOGTAIL_READ_BYTES, BODY_TIMEOUT_MS, CLOSE_LINGER_MS, HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS, SEND_STALL_TIMEOUT_MS, STREAM_CHUNK_BYTES,
} from "../../src/rpc/constants.ts";
import { dispatch } from "../../src/rpc/dispatch.ts";
import type { ControlPort, LogFiles, ProcessInfo } from "../../src/rpc/port.ts";
import { serveConnection, type ByteStream, type ServerContext } from "../../src/rpc/server.ts";

const noFiles: LogFiles = { size: () => undefined, read: () => new Uint8Array(), inode: () => undefined };
/** A port with `n` running programs whose every field is long: getAllProcessInfo's answer grows with n. */
function portOf(n: number): ControlPort {
  const procs: ProcessInfo[] = Array.from({ length: n }, (_, i) => ({
    name: `p${i}`, group: `p${i}`, state: 20, pid: 100 + i, start: 1, stop: 0, exitstatus: 0, spawnerr: "x".repeat(200),
    stdoutLogfile: "", stderrLogfile: "", groupPriority: 999, priority: 999,
  }));
  return { supervisorState: () => 1, processes: () => procs, now: () => 2_000_000, pid: 1, identification: "supervisor", version: "0" } as unknown as ControlPort;
}

/** A stream that takes `room` bytes before it says the client is behind; read() frees it. */
class FakeStream implements ByteStream {
  out: Uint8Array[] = [];
  queued = 0;
  ended = false;
  destroyed = false;
  waiters: (() => void)[] = [];
  constructor(public room = Infinity) {}
  write(data: Uint8Array) { this.out.push(data); this.queued += data.length; return this.queued < this.room; }
  drained() { return this.queued < this.room || this.destroyed ? Promise.resolve() : new Promise<void>((r) => this.waiters.push(r)); }
  end() { this.ended = true; }
  destroy() { this.destroyed = true; this.waiters.splice(0).forEach((f) => f()); }
  read() { this.queued = 0; this.waiters.splice(0).forEach((f) => f()); }
  text() { return new TextDecoder().decode(Buffer.concat(this.out)); }
  bytes() { return this.out.reduce((n, b) => n + b.length, 0); }
}

function setup(n = 1, room = Infinity) {
  const clock = { t: 0 };
  const stream = new FakeStream(room);
  const ctx: ServerContext = { port: portOf(n), logs: noFiles, now: () => clock.t, every: () => () => {} };
  return { clock, stream, conn: serveConnection(stream, ctx) };
}
const enc = (s: string) => new TextEncoder().encode(s);
const post = (body: string, extra = "") => enc(`POST /RPC2 HTTP/1.1\r\nHost: x\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
const settle = () => new Promise((r) => setTimeout(r, 5));

test("prototype names are unknown methods, and no signature or help (supervisord's faults 1 and 4)", async () => {
  const ctx = { port: portOf(1), logs: noFiles };
  const call = async (method: string, ...params: RpcValue[]) => parseResponse((await dispatch(ctx, encodeCall(method, params))).body);
  for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "__defineGetter__", "system.constructor"]) {
    assert.equal(await call("system.methodHelp", name), { fault: { faultCode: 4, faultString: "SIGNATURE_UNSUPPORTED" } }, name);
    assert.equal(await call("system.methodSignature", name), { fault: { faultCode: 4, faultString: "SIGNATURE_UNSUPPORTED" } }, name);
    assert.equal(await call(name), { fault: { faultCode: 1, faultString: "UNKNOWN_METHOD" } }, name);
  }
  for (const name of ["supervisor.constructor", "system.__proto__", "supervisor.toString", "x.hasOwnProperty",
    "supervisor.supervisord.options.warnings.linecache.os.system", "supervisor._private", ".getState", "supervisor.", "supervisor.getState "]) {
    assert.equal(await call(name), { fault: { faultCode: 1, faultString: "UNKNOWN_METHOD" } }, name);
  }
  const multi = await call("system.multicall", [{ methodName: "constructor" }, { methodName: "supervisor.getAPIVersion", params: [] }]);
  assert.equal(multi, { value: [{ faultCode: 1, faultString: "UNKNOWN_METHOD" }, "3.0"] });
});

test("a small answer goes out whole with Content-Length, as supervisord's", async () => {
  const { stream, conn } = setup();
  conn.data(post(encodeCall("supervisor.getAPIVersion", [])));
  await settle();
  assert.match(stream.text(), /^HTTP\/1\.1 200 OK\r\n[^]*Content-Length: \d+\r\n\r\n<\?xml/);
  assert.not.ok(stream.text().includes("chunked"));
});

test("a big answer is written a chunk at a time, the next only once the client has read", async () => {
  const { stream, conn } = setup(3000, STREAM_CHUNK_BYTES);
  conn.data(post(encodeCall("supervisor.getAllProcessInfo", [])));
  await settle();
  assert.match(stream.text(), /Transfer-Encoding: chunked/);
  const first = stream.bytes();
  assert.ok(first < 3 * STREAM_CHUNK_BYTES, `${first} bytes written before the client read any`);
  let rounds = 0;
  while (!stream.text().endsWith("0\r\n\r\n") && rounds++ < 1000) {
    stream.read();
    await settle();
  }
  const body = stream.text().split("\r\n\r\n").slice(1).join("\r\n\r\n").replace(/(^|\r\n)[0-9a-f]+\r\n/g, "");
  const answer = parseResponse(body);
  assert.ok("value" in answer && Array.isArray(answer.value) && answer.value.length === 3000);
  assert.ok(rounds > 5);
});

test("a multicall's calls run as its answer is read; when the client goes, those that change something still run", async () => {
  let reads = 0, signals = 0;
  const stream = new FakeStream(STREAM_CHUNK_BYTES);
  const port = portOf(2000);
  const all = port.processes();
  Object.assign(port, { processes: () => (reads++, all), signal: () => (signals++, undefined) });
  const conn = serveConnection(stream, { port, logs: noFiles, now: () => 0, every: () => () => {} });
  const calls = [
    ...Array.from({ length: 20 }, () => ({ methodName: "supervisor.getAllProcessInfo", params: [] })),
    ...Array.from({ length: 3 }, () => ({ methodName: "supervisor.signalProcess", params: ["p0", "HUP"] })),
  ];
  conn.data(post(encodeCall("system.multicall", [calls])));
  await settle();
  assert.ok(reads < 20, `${reads} calls run before the client read`);
  stream.destroy();
  conn.closed();
  for (let i = 0; i < 100 && signals < 3; i++) await settle();
  assert.is(signals, 3);
  assert.ok(reads < 20, `${reads}: the reads nobody will read are skipped`);
});

test("slowloris: a head not complete within HEAD_TIMEOUT_MS gets 408 and the connection closes", async () => {
  const { clock, stream, conn } = setup();
  conn.data(enc("POST /RPC2 HTTP/1.1\r\nX-A: "));
  for (clock.t = 0; clock.t <= HEAD_TIMEOUT_MS; clock.t += 1000) {
    conn.data(enc("a"));
    conn.sweep();
  }
  assert.not.ok(stream.ended);
  clock.t += 1000;
  conn.sweep();
  await settle();
  assert.match(stream.text(), /^HTTP\/1\.1 408 Request Timeout/);
  assert.ok(stream.ended);
  clock.t += CLOSE_LINGER_MS + 1;
  conn.sweep();
  assert.ok(stream.destroyed, "dropped once the client does not close after the 408");
});

test("a body not complete within BODY_TIMEOUT_MS gets 408; an idle connection closes after IDLE_TIMEOUT_MS", async () => {
  const a = setup();
  a.conn.data(enc("POST /RPC2 HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
  await settle();
  a.clock.t = BODY_TIMEOUT_MS - 1;
  a.conn.sweep();
  assert.is(a.stream.out.length, 0);
  a.clock.t = BODY_TIMEOUT_MS + 1;
  a.conn.sweep();
  await settle();
  assert.match(a.stream.text(), /^HTTP\/1\.1 408/);
  const b = setup();
  b.clock.t = IDLE_TIMEOUT_MS - 1;
  b.conn.sweep();
  assert.not.ok(b.stream.ended);
  b.clock.t = IDLE_TIMEOUT_MS + 1;
  b.conn.sweep();
  assert.ok(b.stream.ended);
  assert.is(b.stream.out.length, 0, "an idle close says nothing");
});

test("a client that reads nothing of its answer is dropped after SEND_STALL_TIMEOUT_MS", async () => {
  const { clock, stream, conn } = setup(3000, 1);
  conn.data(post(encodeCall("supervisor.getAllProcessInfo", [])));
  await settle();
  assert.is(conn.waitingSince(), undefined, "an answering connection is never evicted");
  clock.t = SEND_STALL_TIMEOUT_MS - 1;
  conn.sweep();
  assert.not.ok(stream.destroyed);
  clock.t = SEND_STALL_TIMEOUT_MS + 1;
  conn.sweep();
  assert.ok(stream.destroyed);
});

test("waitingSince: idle and half-sent connections are evictable from when they began waiting; closing ones first", async () => {
  const { clock, stream, conn } = setup();
  assert.is(conn.waitingSince(), 0);
  clock.t = 50;
  conn.data(post(encodeCall("supervisor.getAPIVersion", [])));
  await settle();
  assert.is(conn.waitingSince(), 50, "back to waiting after the answer, from then");
  conn.data(enc("GET /x HTTP/1.1\r\n"));
  assert.is(conn.waitingSince(), 50);
  conn.data(enc("\r\n"));
  await settle();
  assert.match(stream.text(), /404 Not Found/);
  conn.data(enc("GARBAGE\r\n\r\n"));
  await settle();
  assert.match(stream.text(), /400 Bad Request/);
  assert.is(conn.waitingSince(), -Infinity);
});

test("pipelined requests are answered in order; a half-close still gets its answers, then the close", async () => {
  const { stream, conn } = setup();
  const body = encodeCall("supervisor.getAPIVersion", []);
  conn.data(new Uint8Array([...post(body), ...post(body), ...post(body)]));
  conn.ended();
  for (let i = 0; i < 50 && !stream.ended; i++) await settle();
  assert.is(stream.text().match(/HTTP\/1\.1 200 OK/g)?.length, 3);
  assert.ok(stream.ended);
});

test("control characters in a request are a 400 (supervisord's), never echoed into an answer", async () => {
  const { stream, conn } = setup();
  conn.data(post("<methodCall><methodName>supervisor.getProcessInfo</methodName><params><param><value><string>a\x00b</string></value></param></params></methodCall>"));
  await settle();
  assert.match(stream.text(), /^HTTP\/1\.1 400 /);
  assert.not.ok(stream.text().includes("\x00"));
});

test("tail -f reads the log in bounded pieces, nothing while the client is behind, and drops a client that stopped", async () => {
  let size = 1000;
  const reads: number[] = [];
  const logs: LogFiles = { size: () => size, inode: () => 1, read: (_p, _o, length) => (reads.push(length), new Uint8Array(length)) };
  const port = portOf(1);
  (port.processes()[0] as { stdoutLogfile: string }).stdoutLogfile = "/var/log/p0.log";
  let poll = () => {};
  const clock = { t: 0 };
  const stream = new FakeStream(4 * LOGTAIL_READ_BYTES);
  const conn = serveConnection(stream, { port, logs, now: () => clock.t, every: (_ms, fn) => ((poll = fn), () => {}) });
  conn.data(enc("GET /logtail/p0 HTTP/1.1\r\nHost: x\r\n\r\n"));
  await settle();
  assert.match(stream.text(), /^HTTP\/1\.1 200 OK[^]*Transfer-Encoding: chunked/);
  size += 100 * 1024 * 1024; // the program wrote 100 MiB
  poll();
  assert.ok(reads.every((n) => n <= LOGTAIL_READ_BYTES), `reads of ${Math.max(...reads)} bytes`);
  const taken = reads.length;
  assert.ok(stream.queued <= 5 * LOGTAIL_READ_BYTES, `${stream.queued} bytes queued for a client that reads nothing`);
  poll();
  poll();
  assert.is(reads.length, taken, "no read while the client is behind");
  stream.read();
  await settle();
  poll();
  assert.ok(reads.length > taken, "reads again once the client took what was sent");
  clock.t += SEND_STALL_TIMEOUT_MS + 1;
  conn.sweep();
  assert.ok(stream.destroyed, "a client that stops reading is dropped");
});

test.run();
