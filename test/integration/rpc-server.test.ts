// corral's control server with real clients against real corral (`corral --config` as PID 1):
// supervisorctl tail -f, basic auth, raw malformed requests over the unix socket, ctl ready.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, rawRequest, runtimeArgv, sleep, start, until, type Running } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-rpcsrv-"));
const socket = join(dir, "s.sock");
const log = join(dir, "web.log");
let corral: Running;

function conf(name: string, auth: string): string {
  const file = join(dir, name);
  writeFileSync(file, `[supervisorctl]\nserverurl=unix://${socket}\n${auth}`);
  return file;
}

function ctl(file: string, args: string[]): Promise<{ out: string; code: number }> {
  return new Promise((resolve) => execFile("supervisorctl", ["-c", file, ...args], { timeout: 20_000 }, (err, stdout, stderr) =>
    resolve({ out: stdout + stderr, code: err ? Number(err.code) : 0 })));
}


test.before(async () => {
  const main = join(dir, "main.conf");
  writeFileSync(main, `[unix_http_server]\nfile=${socket}\nusername=user\npassword=123\n\n` +
    `[program:web]\ncommand=sh -c 'echo web up; exec sleep 1000'\nstartsecs=0\nstdout_logfile=${log}\n\n` +
    `[program:manual]\ncommand=sleep 1000\nautostart=false\n`);
  corral = start(["--config", main]);
  await until("the control socket", () => existsSync(socket));
});
test.after(() => { corral.child.kill("SIGKILL"); rmSync(dir, { recursive: true, force: true }); });

test("the right password works; a wrong or missing one gets 401 (supervisorctl reports it)", async () => {
  if (!have("supervisorctl")) return;
  const good = await ctl(conf("good.conf", "username=user\npassword=123\n"), ["pid"]);
  assert.is(good.code, 0, good.out);
  const bad = await ctl(conf("bad.conf", "username=user\npassword=124\n"), ["status"]);
  console.log(`supervisorctl with a wrong password: ${JSON.stringify(bad)}`);
  assert.match(bad.out, "Server requires authentication");
  assert.is(bad.code, 1);
  assert.match(await rawRequest(socket, "POST /RPC2 HTTP/1.1\r\nContent-Length: 0\r\n\r\n"), /^HTTP\/1\.1 401 Unauthorized\r\n/);
});

test("supervisorctl tail -f streams the log as it grows", async () => {
  if (!have("supervisorctl")) return;
  await sleep(200);
  const tail = spawn("supervisorctl", ["-c", conf("tail.conf", "username=user\npassword=123\n"), "tail", "-f", "web"]);
  let out = "";
  tail.stdout.on("data", (d) => (out += d));
  await sleep(1500);
  appendFileSync(log, "second line\n");
  await sleep(1000);
  tail.kill("SIGINT");
  assert.match(out, "web up\n");
  assert.match(out, "second line\n");
});

test("malformed requests get 400-class answers and the server keeps serving", async () => {
  const auth = "Authorization: Basic dXNlcjoxMjM=\r\n";
  assert.match(await rawRequest(socket, "NONSENSE\r\n\r\n"), /^HTTP\/1\.1 400 /);
  assert.match(await rawRequest(socket, `POST /RPC2 HTTP/1.1\r\n${auth}Content-Length: 9\r\n\r\n<bad xml>`), /^HTTP\/1\.1 400 /);
  assert.match(await rawRequest(socket, `POST /RPC2 HTTP/1.1\r\n${auth}Content-Length: 99999999\r\n\r\n`), /^HTTP\/1\.1 413 /);
  assert.match(await rawRequest(socket, `GET /logtail/nosuch HTTP/1.1\r\n${auth}\r\n`), /^HTTP\/1\.1 404 /);
  const body = "<?xml version='1.0'?><methodCall><methodName>supervisor.getAPIVersion</methodName></methodCall>";
  const ok = await rawRequest(socket, `POST /RPC2 HTTP/1.1\r\n${auth}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
  assert.match(ok, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(ok, "<string>3.0</string>");
});

function corralCtl(args: string[]): Promise<{ out: string; code: number }> {
  const [file, ...argv] = [...runtimeArgv(), "ctl", "--control-socket", socket, "--username", "user", "--password", "123", ...args];
  return new Promise((resolve) => execFile(file!, argv, { timeout: 20_000 }, (err, stdout, stderr) =>
    resolve({ out: stdout + stderr, code: err ? Number(err.code) : 0 })));
}

test("corral ctl ready: exit 0 once every autostart program is ready; 1 with one line naming who and why", async () => {
  await sleep(300);
  assert.equal(await corralCtl(["ready"]), { out: "ready: web\n", code: 0 });
  assert.equal(await corralCtl(["ready", "web", "manual"]), { out: "not ready: manual (STOPPED)\n", code: 1 });
  assert.equal(await corralCtl(["ready", "nosuch"]), { out: "error: BAD_NAME: nosuch\n", code: 1 });
  const noAuth = await new Promise<{ out: string; code: number }>((resolve) => {
    const [file, ...argv] = [...runtimeArgv(), "ctl", "--control-socket", socket, "status"];
    execFile(file!, argv, (err, stdout, stderr) => resolve({ out: stdout + stderr, code: err ? Number(err.code) : 0 }));
  });
  assert.equal(noAuth, { out: "Server requires authentication\n", code: 1 }); // supervisorctl's words
});

test.run();
