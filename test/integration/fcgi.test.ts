// [fcgi-program:x] run by the built bundle as PID 1: a pool of two Python processes that accept
// on fd 0 (the pool's socket) and answer with their pid, on tcp:// and on unix:// with
// socket_mode and socket_owner; stop and SIGTERM close the socket (and remove its file); an
// address in use stops corral with one line naming the section. Debian's supervisord runs the
// same configs as the anchor: the same fd-0 behaviour and the same names in supervisorctl status.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createConnection, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { corralPid, freePort, run, skip, start, until } from "../helpers.ts";

const PYTHON = "/usr/bin/python3";
const SUPERVISORD = "/usr/bin/supervisord";
const SUPERVISORCTL = "/usr/bin/supervisorctl";

/** Accepts on fd 0 (a listening socket, or it fails) and answers each connection with its pid. */
const SERVER = `import os, socket
s = socket.socket(fileno=0)
assert s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 1
while True:
    c, _ = s.accept()
    c.sendall(b"fd0 %d\\n" % os.getpid())
    c.close()
`;

/** A config whose [fcgi-program:echo] pool of 2 listens on `socket` (plus `extra` lines), with a control socket for supervisorctl. */
function config(dir: string, socket: string, extra = ""): string {
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `[supervisord]
nodaemon=true
pidfile=${dir}/supervisord.pid
logfile=${dir}/supervisord.log
childlogdir=${dir}
[unix_http_server]
file=${dir}/ctl.sock
[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface
[supervisorctl]
serverurl=unix://${dir}/ctl.sock
[fcgi-program:echo]
socket=${socket}
command=${PYTHON} ${dir}/server.py
numprocs=2
process_name=%(program_name)s_%(process_num)s
startsecs=0
stdout_logfile=${dir}/echo.log
redirect_stderr=true
${extra}`);
  return conf;
}

/** One connection's answer ("" when refused or closed early). */
function ask(to: { port: number } | { path: string }): Promise<string> {
  return new Promise((resolve) => {
    const c = createConnection({ ...to, host: "127.0.0.1" } as never);
    let text = "";
    c.on("data", (d) => (text += d));
    c.on("error", () => resolve(""));
    c.on("close", () => resolve(text.trim()));
  });
}

/** The distinct pids that answer on `to`, asked until `count` did (bounded). */
async function answering(to: { port: number } | { path: string }, count: number): Promise<Set<string>> {
  const pids = new Set<string>();
  await until(`${count} processes answering on ${JSON.stringify(to)}`, async () => {
    const pid = await ask(to);
    if (pid) pids.add(pid);
    return pids.size >= count;
  });
  return pids;
}

/** A port nothing listens on now. */

/** `supervisorctl -c conf ARGS…`'s output. */
function ctl(conf: string, ...args: string[]): string {
  return spawnSync(SUPERVISORCTL, ["-c", conf, ...args], { encoding: "utf8", timeout: 20_000 }).stdout;
}

/** The process names supervisorctl status lists, with their state ("echo:echo_0 RUNNING"). */
function statusNames(conf: string): string[] {
  return ctl(conf, "status").trim().split("\n").map((l) => l.split(/\s+/).slice(0, 2).join(" ")).sort();
}

/** Whether every answer is server.py's ("fd0 PID": it accepted on its fd 0). */
const servers = (answers: Set<string>) => [...answers].every((a) => /^fd0 \d+$/.test(a));

/** Runs real supervisord on `conf` until `body` is done, then SIGTERM; skipped (undefined) when it is not installed. */
async function underSupervisord<T>(conf: string, body: () => Promise<T>): Promise<T | undefined> {
  if (!existsSync(SUPERVISORD) || !existsSync(SUPERVISORCTL)) return undefined;
  const child: ChildProcess = spawn(SUPERVISORD, ["-c", conf], { stdio: "ignore" });
  const gone = new Promise((r) => child.on("close", r));
  try {
    return await body();
  } finally {
    child.kill("SIGTERM");
    await gone;
  }
}

/** Runs `body` with a fresh directory holding server.py; skipped without python3. */
async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  if (!existsSync(PYTHON)) return skip("/usr/bin/python3 is needed");
  const dir = mkdtempSync(join(tmpdir(), "corral-fcgi-"));
  try {
    writeFileSync(join(dir, "server.py"), SERVER);
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("tcp://: both processes accept on fd 0; the names match supervisord's; SIGTERM frees the port", () => withDir(async (dir) => {
  const port = await freePort();
  const conf = config(dir, `tcp://127.0.0.1:${port}`);
  const corral = start(["--config", conf]);
  const pids = await answering({ port }, 2);
  assert.ok(servers(pids), `not the answers of server.py: ${[...pids]}`);
  await until("supervisorctl status", () => statusNames(conf).filter((l) => l.endsWith(" RUNNING")).length === 2);
  const ours = statusNames(conf);
  assert.equal(ours, ["echo:echo_0 RUNNING", "echo:echo_1 RUNNING"]);
  process.kill(await corralPid(corral), "SIGTERM");
  const end = await corral.done;
  assert.is(end.code, 0, end.stderr);
  assert.is(await ask({ port }), "", "the port still answers after corral exited");

  const theirs = await underSupervisord(conf, async () => {
    assert.ok(servers(await answering({ port }, 2)));
    await until("supervisorctl status under supervisord", () => statusNames(conf).filter((l) => l.endsWith(" RUNNING")).length === 2);
    return statusNames(conf);
  });
  if (theirs) assert.equal(ours, theirs);
}));

test("unix://: the file has socket_mode and socket_owner; stop removes it, start makes it again, SIGTERM removes it", () => withDir(async (dir) => {
  const path = join(dir, "echo.sock");
  const conf = config(dir, `unix://${path}`, "socket_mode=0660\nsocket_owner=nobody\n");
  const corral = start(["--config", conf]);
  assert.ok(servers(await answering({ path }, 2)));
  const st = statSync(path);
  assert.ok(st.isSocket());
  assert.is((st.mode & 0o777).toString(8), "660");
  assert.is(st.uid, 65534);
  await until("supervisorctl status", () => statusNames(conf).filter((l) => l.endsWith(" RUNNING")).length === 2);
  const ours = statusNames(conf);
  ctl(conf, "stop", "echo:*");
  await until("the socket file removed once the pool stopped", () => !existsSync(path));
  ctl(conf, "start", "echo:*");
  assert.is((await answering({ path }, 2)).size, 2);
  process.kill(await corralPid(corral), "SIGTERM");
  assert.is((await corral.done).code, 0);
  assert.not.ok(existsSync(path), "the socket file outlived corral");

  const theirs = await underSupervisord(conf, async () => {
    assert.ok(servers(await answering({ path }, 2)));
    assert.is((statSync(path).mode & 0o777).toString(8), "660");
    assert.is(statSync(path).uid, 65534);
    await until("supervisorctl status under supervisord", () => statusNames(conf).filter((l) => l.endsWith(" RUNNING")).length === 2);
    return statusNames(conf);
  });
  if (theirs) assert.equal(ours, theirs);
}));

test("an address in use: exit 2 with one line naming the section, nothing started (supervisord refuses to start too)", () => withDir(async (dir) => {
  const blocker: Server = await new Promise((resolve) => { const s = createServer().listen(0, "127.0.0.1", () => resolve(s)); });
  try {
    const { port } = blocker.address() as { port: number };
    const conf = config(dir, `tcp://127.0.0.1:${port}`);
    const r = await run(["--config", conf]);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`supervisord\\.conf:\\d+: \\[fcgi-program:echo\\] could not create FastCGI socket tcp://127\\.0\\.0\\.1:${port}: EADDRINUSE\\n`));
    assert.not.match(r.stderr, /spawned|RUNNING/);
    if (existsSync(SUPERVISORD)) {
      const theirs = spawnSync(SUPERVISORD, ["-c", conf], { encoding: "utf8", timeout: 20_000 });
      assert.is.not(theirs.status, 0);
      assert.match(readFileSync(join(dir, "supervisord.log"), "utf8") + theirs.stderr, /Could not create FastCGI socket/);
    }
  } finally {
    blocker.close();
  }
}));

test("a unix:// path in a directory that does not exist: exit 2 naming the section", () => withDir(async (dir) => {
  const conf = config(dir, `unix://${dir}/missing/echo.sock`);
  const r = await run(["--config", conf]);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /\[fcgi-program:echo\] could not create FastCGI socket unix:\/\/.*\/missing\/echo\.sock: ENOENT\n/);
}));

test.run();
