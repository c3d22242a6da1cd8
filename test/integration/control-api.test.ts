// The control API of real corral (`corral --config` as PID 1): bad input never crashes it nor
// changes state, `corral ctl ready` follows ready= probes, the default socket's modes and
// clean-up, and a configured socket that cannot be bound is fatal.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corralPid, descendantsOf, rawRequest, run, runtimeArgv, start, until, type Running } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-api-"));
const socket = join(dir, "s.sock");
const flagFile = join(dir, "ready-now");

function writeConf(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

const conf = writeConf("main.conf", `[unix_http_server]
file=${socket}

[program:web]
command=sleep 1000
startsecs=0
ready=exec:test -f ${flagFile}

[program:manual]
command=sleep 1000
autostart=false

[program:forks]
command=sh -c 'sleep 1234 & exec sleep 1235'
autostart=false
startsecs=0

[program:echo]
command=sh -c 'while read line; do echo "got $line"; done'
autostart=false
startsecs=0
stdout_logfile=${dir}/echo.log
`);

function corralCtl(args: string[], env: Record<string, string> = {}): Promise<{ out: string; code: number }> {
  const [file, ...argv] = [...runtimeArgv(), "ctl", ...args];
  return new Promise((resolve) => execFile(file!, argv, { timeout: 20_000, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
    resolve({ out: stdout + stderr, code: err ? Number(err.code) : 0 })));
}


const call = (method: string, params: string) =>
  `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`;
const post = (body: string) => `POST /RPC2 HTTP/1.1\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;

let c: Running;
test.before(async () => {
  c = start(["--config", conf]);
  await until("the control socket", () => existsSync(socket));
});
test.after(async () => {
  c.child.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test("corral ctl ready: 1 naming the program and its probe until ready= passes, then 0", async () => {
  const before = await corralCtl(["-c", conf, "ready"]);
  assert.equal(before, { out: `not ready: web (ready=exec:test -f ${flagFile} not passing yet)\n`, code: 1 });
  assert.equal(await corralCtl(["-c", conf, "ready", "manual"]), { out: "not ready: manual (STOPPED)\n", code: 1 });
  writeFileSync(flagFile, "");
  await until("web ready", async () => (await corralCtl(["-c", conf, "ready"])).code === 0, 15_000, 200);
  assert.equal(await corralCtl(["-c", conf, "ready"]), { out: "ready: web\n", code: 0 });
});

test("corral ctl start/pid/stop by name in config mode, without Python", async () => {
  assert.equal(await corralCtl(["-c", conf, "start", "manual"]), { out: "manual: started\n", code: 0 });
  const pid = await corralCtl(["-c", conf, "pid", "manual"]);
  assert.match(pid.out, /^\d+\n$/);
  assert.equal(await corralCtl(["-c", conf, "stop", "manual"]), { out: "manual: stopped\n", code: 0 });
});

test("malformed HTTP and XML, unknown methods and wrong types: an HTTP error or a fault, no crash, no change", async () => {
  const { out: before } = await corralCtl(["-c", conf, "status"]);
  assert.match(await rawRequest(socket, "NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 /);
  assert.match(await rawRequest(socket, "POST /RPC2 HTTP/1.1\r\nContent-Length: 9\r\n\r\n<bad xml>"), /^HTTP\/1\.1 400 /);
  assert.match(await rawRequest(socket, "POST /RPC2 HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n"), /^HTTP\/1\.1 413 /);
  assert.match(await rawRequest(socket, "POST /RPC2 HTTP/1.1\r\nContent-Length: -5\r\n\r\n"), /^HTTP\/1\.1 4\d\d /);
  assert.match(await rawRequest(socket, `GET /logtail/nosuch HTTP/1.1\r\n\r\n`), /^HTTP\/1\.1 404 /);
  assert.match(await rawRequest(socket, post(call("supervisor.nosuch", ""))), /<int>1<\/int>.*UNKNOWN_METHOD/s);
  assert.match(await rawRequest(socket, post(call("supervisor._private", ""))), /UNKNOWN_METHOD/);
  assert.match(await rawRequest(socket, post(call("supervisor.startProcess", "<param><value><int>5</int></value></param>"))), /INCORRECT_PARAMETERS/);
  assert.match(await rawRequest(socket, post(call("supervisor.startProcess", "<param><value><array><data/></array></value></param>"))), /INCORRECT_PARAMETERS/);
  assert.match(await rawRequest(socket, post(call("supervisor.stopProcess", "<param><value><string>nosuch</string></value></param>"))), /BAD_NAME/);
  assert.match(await rawRequest(socket, post(call("supervisor.signalProcess", "<param><value><string>web</string></value></param><param><value><string>NOPE</string></value></param>"))), /BAD_SIGNAL/);
  assert.match(await rawRequest(socket, post(call("supervisor.getProcessInfo", "<param><value><string>web</string></value></param><param><value><string>x</string></value></param>"))), /INCORRECT_PARAMETERS/);
  assert.match(await rawRequest(socket, post(call("system.multicall", "<param><value><array><data><value><int>3</int></value></data></array></value></param>"))), /INCORRECT_PARAMETERS/);
  // Half a request, then the peer goes away.
  await rawRequest(socket, "POST /RPC2 HTTP/1.1\r\nContent-Length: 100\r\n\r\n<?xml");
  const { out: after } = await corralCtl(["-c", conf, "status"]);
  const shape = (s: string) => s.replace(/uptime \d+:\d\d:\d\d/g, "uptime U").replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE");
  assert.is(shape(after), shape(before));
  assert.not.match(c.stderr(), /internal error/);
});

test("sendProcessStdin: a program's stdin is a pipe, as under supervisord: what is sent arrives, in order; a stopped program is NOT_RUNNING", async () => {
  const send = (name: string, text: string) => rawRequest(socket, post(call("supervisor.sendProcessStdin",
    `<param><value><string>${name}</string></value></param><param><value><string>${text}</string></value></param>`)));
  assert.equal(await corralCtl(["-c", conf, "start", "echo"]), { out: "echo: started\n", code: 0 });
  assert.match(await send("echo", "one\n"), /<boolean>1<\/boolean>/);
  assert.match(await send("echo", "two\n"), /<boolean>1<\/boolean>/);
  await until("echo's log", () => existsSync(join(dir, "echo.log")) && readFileSync(join(dir, "echo.log"), "utf8") === "got one\ngot two\n");
  assert.match(await send("manual", "x"), /<int>70<\/int>.*NOT_RUNNING: manual/s);
});

test("stop signals the main process only (stopasgroup=false, as supervisord), and what is left of its process group is stopped too", async () => {
  const sleeps = () => descendantsOf(c.child.pid!).map((pid) => { try { return readFileSync(`/proc/${pid}/cmdline`, "latin1"); } catch { return ""; } })
    .filter((cmd) => /^sleep\x00123[45]\x00$/.test(cmd)).sort();
  assert.equal(await corralCtl(["-c", conf, "start", "forks"]), { out: "forks: started\n", code: 0 });
  await until("both sleeps", () => sleeps().length === 2);
  const stop = await rawRequest(socket, post(call("supervisor.stopProcess", "<param><value><string>forks</string></value></param>")));
  assert.match(stop, /<boolean>1<\/boolean>/);
  assert.equal(sleeps(), [], "stopProcess answers once the whole process group is gone");
});

test("the default socket: directory 0700, socket 0600, $CORRAL_CONTROL_SOCKET; removed at exit", async () => {
  const sock = join(dir, "run", "corral.sock");
  const plain = writeConf("plain.conf", "[program:web]\ncommand=sleep 1000\nstartsecs=0\n");
  const d = start(["--config", plain], { env: { CORRAL_CONTROL_SOCKET: sock } });
  await until("the default socket", () => existsSync(sock));
  const status = await corralCtl(["status"], { CORRAL_CONTROL_SOCKET: sock }); // answered: set up by now
  assert.is(statSync(join(dir, "run")).mode & 0o777, 0o700);
  assert.is(statSync(sock).mode & 0o777, 0o600);
  assert.match(status.out, /^web\s+RUNNING\s+pid \d+, uptime /);
  process.kill(await corralPid(d), "SIGTERM");
  const done = await d.done;
  assert.is(done.code, 0);
  assert.not.ok(existsSync(sock), "socket file removed at exit");
});

test("a configured [unix_http_server] that cannot be bound: exit 2 and one line", async () => {
  const bad = writeConf("bad.conf", "[unix_http_server]\nfile=/nonexistent-dir/x.sock\n\n[program:web]\ncommand=sleep 1000\n");
  const r = await run(["--config", bad]);
  assert.is(r.code, 2);
  const lines = r.stderr.trim().split("\n");
  assert.is(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /bad\.conf.*cannot listen on \/nonexistent-dir\/x\.sock: E[A-Z]+$/);
});

test("[inet_http_server] with basic auth; chmod= of [unix_http_server]; one warning for an open inet server", async () => {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const sock = join(dir, "auth.sock");
  const authed = writeConf("auth.conf", `[unix_http_server]\nfile=${sock}\nchmod=0770\nusername=user\npassword=123\n\n` +
    `[inet_http_server]\nport=127.0.0.1:${port}\nusername=user\npassword=123\n\n` +
    `[supervisorctl]\nserverurl=http://127.0.0.1:${port}\nusername=user\npassword=123\n\n[program:web]\ncommand=sleep 1000\nstartsecs=0\n`);
  const a = start(["--config", authed]);
  await until("the auth socket", () => existsSync(sock));
  const ok = await corralCtl(["-c", authed, "status"]);
  assert.match(ok.out, /^web\s+RUNNING/);
  assert.is(statSync(sock).mode & 0o777, 0o770);
  assert.equal(await corralCtl(["--server", `http://127.0.0.1:${port}`, "--username", "user", "--password", "nope", "status"]),
    { out: "Server requires authentication\n", code: 1 });
  assert.match(await rawRequest(sock, post(call("supervisor.getState", ""))), /^HTTP\/1\.1 401 /);
  process.kill(await corralPid(a), "SIGTERM");
  assert.is((await a.done).code, 0);
  assert.not.ok(existsSync(sock), "socket file removed at exit");

  const open = writeConf("open.conf", `[inet_http_server]\nport=0.0.0.0:${port + 1}\n\n[program:web]\ncommand=sleep 1000\nstartsecs=0\n`);
  const o = start(["--config", open]);
  await o.waitFor("without username/password");
  process.kill(await corralPid(o), "SIGTERM");
  const done = await o.done;
  assert.is(done.code, 0);
  assert.is(done.stderr.match(/without username\/password/g)?.length, 1, done.stderr);
});

test.run();
