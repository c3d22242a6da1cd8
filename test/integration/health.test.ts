// `corral wait-until-healthy` against a real HTTP server, TCP listeners and commands on loopback.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer, type AddressInfo } from "node:net";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, run, sleep, start, type Finished } from "../helpers.ts";

const wait = (args: string[]) => run(["wait-until-healthy", ...args], { pid1: false });
const lines = (r: Finished) => r.stderr.trim().split("\n").filter(Boolean);

/** An HTTP server on 127.0.0.1 that answers with `handler`; resolves to its base URL. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
const close = (server: Server) => { server.closeAllConnections(); server.close(); };

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test("SIGINT and SIGTERM end wait-until-healthy as they end any command (130, 143), on Deno too", async () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    const c = start(["wait-until-healthy", "--url", "exec:false", "--timeout", "20s"], { pid1: false });
    await sleep(1500); // past Deno's own signal thread start (~0.5 s)
    c.child.kill(signal);
    const r = await c.done;
    assert.ok(r.code === code || r.signal === signal, `${signal}: code ${r.code}, signal ${r.signal}; ${r.stderr}`);
    assert.ok(r.ms < 10_000, `${signal} took ${r.ms} ms`);
  }
});

test("500, 500, 200: healthy on the third probe, exit 0", async () => {
  const statuses = [500, 500, 200];
  let hits = 0;
  const { url, server } = await serve((_req, res) => res.writeHead(statuses[Math.min(hits++, 2)]!).end("body"));
  const r = await wait(["--url", `${url}/health`, "--polling-frequency", "200ms", "--timeout", "20s"]);
  close(server);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.is(hits, 3);
});

test("the first probe goes out at once, not one period later", async () => {
  const { url, server } = await serve((_req, res) => res.writeHead(200).end());
  const r = await wait(["--url", url, "--polling-frequency", "30s", "--timeout", "1m"]);
  close(server);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.ms < 15_000, `${r.ms} ms`); // start-up included, on a busy machine
});

test("a closed port is unhealthy after N attempts, within the timeout", async () => {
  const port = await closedPort();
  for (const url of [`http://127.0.0.1:${port}/`, `tcp:127.0.0.1:${port}`]) {
    const r = await wait(["--url", url, "--timeout", "2s", "--polling-frequency", "500ms"]);
    assert.is(r.code, 1, r.stderr);
    assert.equal(lines(r), [`corral: wait-until-healthy: ${url} not healthy after 4 attempts in 2s (last: connection failed (ECONNREFUSED))`]);
    assert.ok(r.ms >= 1500 && r.ms < 8000, `${r.ms} ms`); // probes at 0, 0.5, 1, 1.5 s; start-up on top
  }
});

test("a 200 whose body never ends is healthy: the body is not read", async () => {
  const { url, server } = await serve((_req, res) => {
    res.writeHead(200);
    res.write("x".repeat(65536)); // and never end
  });
  const r = await wait(["--url", url, "--timeout", "10s"]);
  close(server);
  assert.is(r.code, 0, r.stderr); // reading the body would have run into the timeout
});

test("an endpoint that never answers is cut off by the timeout", async () => {
  const { url, server } = await serve(() => {});
  const r = await wait(["--url", url, "--timeout", "1s", "--polling-frequency", "5s"]);
  close(server);
  assert.is(r.code, 1, r.stderr);
  // The probe's bound is what is left of the second: "1s", or "998ms" on a busy machine.
  assert.match(r.stderr, new RegExp(`^corral: wait-until-healthy: ${url} not healthy after 1 attempt in 1s \\(last: no answer within (1s|9\\d\\dms)\\)\n$`));
  assert.ok(r.ms < 8000, `${r.ms} ms`);
});

test("redirects are followed to the 200 they lead to", async () => {
  const { url, server } = await serve((req, res) => {
    if (req.url === "/health") res.writeHead(302, { location: "/health/" }).end();
    else res.writeHead(req.url === "/health/" ? 200 : 404).end();
  });
  const r = await wait(["--url", `${url}/health`, "--timeout", "5s"]);
  close(server);
  assert.is(r.code, 0, r.stderr);
});

test("tcp: is healthy once something accepts connections", async () => {
  const listener = createTcpServer((socket) => socket.destroy());
  await new Promise<void>((r) => listener.listen(0, "127.0.0.1", r));
  const r = await wait(["--url", `tcp:127.0.0.1:${(listener.address() as AddressInfo).port}`, "--timeout", "5s"]);
  listener.close();
  assert.is(r.code, 0, r.stderr);
});

test("exec: is healthy when the command exits 0; quoting works as in a shell", async () => {
  assert.is((await wait(["--url", `exec:sh -c 'test "$0" = "a b"' "a b"`, "--timeout", "5s"])).code, 0);
  const r = await wait(["--url", "exec:sh -c 'exit 3'", "--timeout", "1s", "--polling-frequency", "400ms"]);
  assert.is(r.code, 1);
  assert.match(r.stderr, "not healthy after 3 attempts in 1s (last: sh exited with code 3)");
  const nf = await wait(["--url", "exec:no-such-probe-xyz", "--timeout", "500ms"]);
  assert.match(nf.stderr, "(last: no-such-probe-xyz exited with code 127)");
});

test("an exec: probe that outlives its time is killed with its process group", async () => {
  const marker = `31.${process.pid}`; // this run's own: the other runtime's pass may run this test at the same time
  const r = await wait(["--url", `exec:sh -c 'sleep ${marker}; true'`, "--timeout", "1s"]);
  assert.is(r.code, 1);
  assert.match(r.stderr, /\(last: sh gave no result within (1s|9\d\dms)\)/, r.stderr);
  assert.ok(r.ms < 8000, `${r.ms} ms`);
  const left = readdirSync("/proc").filter((p) => /^\d+$/.test(p)).filter((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker); } catch { return false; }
  });
  assert.equal(left, []);
});

test("usage errors exit 2 with one line naming the flag and value", async () => {
  for (const [args, message] of [
    [[], "--url URL is required"],
    [["--url", "ftp://x"], `--url: expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "ftp://x"`],
    [["--url", "tcp:h:1", "--timeout", "5"], `--timeout: expected a duration with a unit like 20s, 1m, 500ms or 2m30s, got "5"`],
    [["--url", "tcp:h:1", "--polling-frequency", "0"], `--polling-frequency: expected a duration above zero, got "0"`],
  ] as const) {
    const r = await wait([...args]);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(lines(r), [`corral: wait-until-healthy: ${message}`]);
  }
});

test("invoked as sipid: the same command, usage on stderr and exit 1 for usage errors", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-health-"));
  const sipid = join(dir, "sipid");
  symlinkSync(BUNDLE, sipid);
  const node = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [sipid, "wait-until-healthy", ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr!.on("data", (d) => (stderr += d));
    c.on("close", (code) => resolve({ code, stderr }));
  });
  const { url, server } = await serve((_req, res) => res.writeHead(200).end());
  assert.is((await node(["-url", url, "-timeout", "5s"])).code, 0);
  close(server);
  const bad = await node(["--url", url, "--timeout", "5"]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^sipid: --timeout: .*\nusage: sipid claim /);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
