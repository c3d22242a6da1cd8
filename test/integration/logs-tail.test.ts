// In-memory tails with the built bundle as PID 1 and Debian's supervisorctl (and supervisor's own
// XML-RPC transport) as clients: tail, tail stderr, tail -f, clear and maintail for programs whose
// output goes to corral's stdout (also stdout_logfile=/dev/stdout, which supervisord cannot
// tail), supervisord's readFile/tailFile offsets over a tail that keeps only its last bytes,
// and no tail for stdout_logfile=NONE, as under supervisord.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, rawRequest, skip, start, until, type Running } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-tail-"));
const socket = join(dir, "s.sock");
/** tail_maxbytes below: small, so a short program overflows it. */
const TAIL_BYTES = 4096;
/** `seq 1 3000` writes this many bytes. */
const SEQ_BYTES = Array.from({ length: 3000 }, (_, i) => `${i + 1}\n`).join("").length;

const conf = join(dir, "tail.conf");
writeFileSync(conf, `[supervisord]
tail_maxbytes=4KB

[unix_http_server]
file=${socket}

[supervisorctl]
serverurl=unix://${socket}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:talk]
command=sh -c 'i=0; while :; do echo "out $i"; echo "err $i" >&2; i=$((i+1)); sleep 0.05; done'
startsecs=0

[program:dev]
command=sh -c 'echo to-dev-stdout; exec sleep 1000'
stdout_logfile=/dev/stdout
stdout_logfile_maxbytes=0
startsecs=0

[program:big]
command=sh -c 'seq 1 3000; exec sleep 1000'
startsecs=0

[program:quiet]
command=sh -c 'echo never-kept; exec sleep 1000'
stdout_logfile=NONE
startsecs=0
bogus_key=1
`);

/** Debian's python3, which has the supervisor package supervisorctl runs on. */
const PYTHON = "/usr/bin/python3";
const hasClient = have("supervisorctl") && existsSync(PYTHON);

/** supervisorctl against corral: its output and exit status. */
function ctl(...args: string[]): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => execFile("supervisorctl", ["-c", conf, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
    resolve({ out: stdout + stderr, code: err ? Number(err.code ?? 1) : 0 })));
}

/** One XML-RPC call through supervisor's own transport; its result as JSON, or {fault}. */
function rpc(method: string, ...params: unknown[]): Promise<unknown> {
  const script = `
import json, sys, xmlrpc.client
from supervisor.xmlrpc import SupervisorTransport
proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, "unix://${socket}"))
try:
    print(json.dumps(getattr(proxy, sys.argv[1])(*json.loads(sys.argv[2]))))
except xmlrpc.client.Fault as f:
    print(json.dumps({"fault": f.faultCode}))
`;
  return new Promise((resolve, reject) => execFile(PYTHON, ["-c", script, method, JSON.stringify(params)], { timeout: 20_000 },
    (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(JSON.parse(stdout)))));
}

let c: Running | undefined;
test.before(async () => {
  if (!hasClient) return;
  c = start(["--config", conf]);
  await until("the control socket", () => existsSync(socket));
  await until("big's output", async () => ((await rpc("supervisor.tailProcessStdoutLog", "big", 0, 0)) as [string, number])[1] === SEQ_BYTES);
});
test.after(() => {
  c?.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("supervisorctl tail shows stdout and stderr of a program whose output goes to corral's stdout", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  await until("two lines of talk", async () => /out 1\n/.test((await ctl("tail", "talk")).out));
  const out = await ctl("tail", "talk"), err = await ctl("tail", "talk", "stderr");
  assert.is(out.code, 0, out.out);
  assert.match(out.out, /^out 0\nout 1\n/);
  assert.not.match(out.out, /err/);
  assert.match(err.out, /^err 0\nerr 1\n/);
  // The output still goes to the container's stdout and stderr.
  assert.match(c!.stdout(), /out 0\n/);
  assert.match(c!.stderr(), /err 0\n/);
});

test("stdout_logfile=/dev/stdout: tail works (the line also reached corral's stdout)", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  const dev = await ctl("tail", "dev");
  assert.is(dev.code, 0, dev.out);
  assert.match(dev.out, /^to-dev-stdout\n/); // supervisorctl prints a newline after the bytes
  assert.match(c!.stdout(), /to-dev-stdout\n/);
  const logtail = await rawRequest(socket, "GET /logtail/dev HTTP/1.0\r\n\r\n");
  assert.match(logtail, /^HTTP\/1\.[01] 200[^]*\r\n\r\nto-dev-stdout\n/);
});

test("stdout_logfile=NONE keeps no tail: supervisord's answer", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  assert.match((await ctl("tail", "quiet")).out, /quiet: ERROR \(no log file\)/);
  assert.equal(await rpc("supervisor.readProcessStdoutLog", "quiet", 0, 0), { fault: 20 }); // NO_FILE
});

test("a tail keeps its last tail_maxbytes; offsets and overflow are supervisord's over the bytes ever written", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  const whole = Array.from({ length: 3000 }, (_, i) => `${i + 1}\n`).join("");
  // readFile(-N, 0): the last N bytes, as many as are kept.
  assert.is(await rpc("supervisor.readProcessStdoutLog", "big", -100, 0), whole.slice(-100));
  assert.is(await rpc("supervisor.readProcessStdoutLog", "big", -100_000, 0), whole.slice(-TAIL_BYTES));
  // From an offset: what is kept of [offset, offset + length).
  assert.is(await rpc("supervisor.readProcessStdoutLog", "big", SEQ_BYTES - 10, 5), whole.slice(SEQ_BYTES - 10, SEQ_BYTES - 5));
  assert.is(await rpc("supervisor.readProcessStdoutLog", "big", 0, 100), ""); // long gone
  assert.equal(await rpc("supervisor.readProcessStdoutLog", "big", -1, 5), { fault: 3 }); // BAD_ARGUMENTS
  // tailFile: [bytes, size, overflow].
  assert.equal(await rpc("supervisor.tailProcessStdoutLog", "big", 0, 100), [whole.slice(-100), SEQ_BYTES, true]);
  assert.equal(await rpc("supervisor.tailProcessStdoutLog", "big", SEQ_BYTES - 50, 100), [whole.slice(-100), SEQ_BYTES, false]);
  assert.equal(await rpc("supervisor.tailProcessStdoutLog", "big", SEQ_BYTES, 100), ["", SEQ_BYTES, false]); // nothing new
  assert.is((await ctl("tail", "big")).out, `${whole.slice(-1600)}\n`);
});

test("supervisorctl tail -f follows new output (/logtail)", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  const follow = spawn("supervisorctl", ["-c", conf, "tail", "-f", "talk"], { stdio: ["ignore", "pipe", "pipe"] });
  let got = "";
  follow.stdout.on("data", (d) => (got += d));
  try {
    await until("a first line", () => /out \d+\n/.test(got));
    const first = Number(/out (\d+)\n/.exec(got)![1]);
    await until("three more lines", () => got.includes(`out ${first + 3}\n`));
  } finally {
    follow.kill("SIGKILL");
  }
});

test("supervisorctl clear empties the tail; later output starts it again from offset 0", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  const before = ((await rpc("supervisor.tailProcessStdoutLog", "talk", 0, 0)) as [string, number])[1];
  assert.equal(await ctl("clear", "talk"), { out: "talk: cleared\n", code: 0 });
  const after = ((await rpc("supervisor.tailProcessStdoutLog", "talk", 0, 0)) as [string, number])[1];
  assert.ok(after < before, `size ${before} -> ${after}`);
  await until("new output", async () => /^out \d+\n/.test((await ctl("tail", "talk")).out));
  assert.match((await ctl("tail", "talk", "stderr")).out, /^err \d+\n/);
});

test("maintail shows corral's own messages, from before the tail was kept; clearLog empties it", async () => {
  if (!hasClient) return skip("supervisorctl or Debian's python3 missing");
  const shown = await ctl("maintail");
  assert.is(shown.code, 0, shown.out);
  assert.match(shown.out, /corral: .*tail\.conf:\d+: \[program:quiet\] bogus_key: ignored/);
  assert.match(await rpc("supervisor.readLog", 0, 0) as string, /bogus_key/);
  assert.is(await rpc("supervisor.clearLog"), true);
  assert.is(await rpc("supervisor.readLog", 0, 0), "");
});

test.run();
