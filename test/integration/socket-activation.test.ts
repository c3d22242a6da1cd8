// Socket activation (issue 23): listening sockets handed to corral as fds 3, 4, … reach the job
// at the same numbers, with LISTEN_PID its own pid, and nothing else above 2 leaks. A Python
// launcher binds the sockets and execs corral with them, as systemd or crun would.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { descendantsOf, have, runtimeArgv, skip, until } from "../helpers.ts";
import { ask, launch } from "../sockets.ts";

/** The job: accepts one connection on each of fds 3 .. 2+argv[1], says who it is and what it
 * was told, and waits until the test hangs up. */
const JOB = `
import os, socket, sys
listeners = [socket.socket(fileno=fd) for fd in range(3, 3 + int(sys.argv[1]))]
for listener in listeners:
    conn, _ = listener.accept()
    env = os.environ
    conn.sendall(("pid=%d listen_pid=%s listen_fds=%s names=%s\\n" % (os.getpid(), env.get("LISTEN_PID", "-"),
        env.get("LISTEN_FDS", "-"), env.get("LISTEN_FDNAMES", "-"))).encode())
    conn.recv(1)
    conn.close()
`;
/** Marks the job's command line, to find its host pid. */
const JOB_MARK = "socket-activation-job";
const job = (count: number) => ["python3", "-c", JOB, String(count), JOB_MARK];

const PID1 = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];
const corral = (args: string[], pid1 = true) => [...(pid1 ? PID1 : []), ...runtimeArgv(), ...args];

/** pid=, listen_pid=, … of the job's line. */
const fieldsOf = (line: string) => Object.fromEntries(line.split(" ").map((kv) => kv.split("=") as [string, string]));

/** The host pid of the process below `root` that runs `file` (argv[0]) with `mark` among its arguments. */
async function hostPid(root: number, file: string, mark = file): Promise<number> {
  let found = 0;
  await until(`${file} ${mark}`, () => {
    found = descendantsOf(root).find((p) => {
      try {
        const argv = readFileSync(`/proc/${p}/cmdline`, "latin1").split("\0");
        return argv[0] === file && argv.includes(mark);
      } catch {
        return false;
      }
    }) ?? 0;
    return found > 0;
  });
  return found;
}

/** The descriptors a process holds, from outside (its /proc/PID/fd), in order. */
const fdsOf = (pid: number) => readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b);

/**
 * Checks the job's descriptors above stdio while it serves a connection: its `count`
 * listeners at 3 .. 2+count and the connection at the next number, all sockets. A leaked
 * descriptor (the launcher's /dev/null at 3+count or 20) would show, or push the connection up.
 */
function assertOnlySockets(pid: number, count: number): void {
  const above = fdsOf(pid).filter((fd) => fd > 2);
  assert.equal(above, Array.from({ length: count + 1 }, (_, i) => 3 + i), "fds above 2");
  for (const fd of above) assert.match(readlinkSync(`/proc/${pid}/fd/${fd}`), /^socket:/);
}

/** The pid a process has in its own namespace (the last of /proc/PID/status's NSpid). */
const nsPid = (pid: number) => Number(/^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"))![1]!.trim().split(/\s+/).pop());

if (!have("python3") || !have("unshare")) {
  test("socket activation", () => skip("python3 and unshare are needed to hand corral listening sockets"));
} else {
  test("LISTEN_FDS=1: the job accepts on fd 3, sees LISTEN_PID = its own pid and LISTEN_FDNAMES; no other fd above 2 reaches it", async () => {
    const l = launch(1, corral(["--", ...job(1)]), { LISTEN_FDS: "1", LISTEN_FDNAMES: "web" });
    const [port] = await l.ports;
    const { line, hangUp } = await ask(port!);
    const f = fieldsOf(line);
    const pid = await hostPid(l.pid, "python3", JOB_MARK);
    assert.is(f["listen_pid"], f["pid"], line);
    assert.is(Number(f["pid"]), nsPid(pid));
    assert.is(f["listen_fds"], "1");
    assert.is(f["names"], "web");
    assertOnlySockets(pid, 1);
    hangUp();
    const r = await l.done;
    assert.is(r.code, 0, r.stderr);
  });

  for (const [how, args, env] of [["--preserve-fds 2", ["--preserve-fds", "2"], {}], ["CORRAL_PRESERVE_FDS=2", [], { CORRAL_PRESERVE_FDS: "2" }]] as const) {
    test(`${how}: the job accepts on fds 3 and 4, without socket activation's variables`, async () => {
      const l = launch(2, corral([...args, "--", ...job(2)]), env);
      const ports = await l.ports;
      for (const port of ports) {
        const { line, hangUp } = await ask(port);
        const f = fieldsOf(line);
        assert.is(f["listen_pid"], "-", line);
        assert.is(f["listen_fds"], "-", line);
        assertOnlySockets(await hostPid(l.pid, "python3", JOB_MARK), 2);
        hangUp();
      }
      const r = await l.done;
      assert.is(r.code, 0, r.stderr);
    });
  }

  test("container-run mode (--job-name): the job gets the socket and its own LISTEN_PID, as in plain mode", async () => {
    const dir = mkdtempSync(join(tmpdir(), "corral-sa-"));
    try {
      const l = launch(1, corral(["--job-name", "sa", "--base-dir", dir, "--exit-on-zero", "--", ...job(1)]), { LISTEN_FDS: "1" });
      const [port] = await l.ports;
      const { line, hangUp } = await ask(port!);
      const f = fieldsOf(line);
      assert.is(f["listen_pid"], f["pid"], line);
      assertOnlySockets(await hostPid(l.pid, "python3", JOB_MARK), 1);
      hangUp();
      const r = await l.done;
      assert.is(r.code, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("LISTEN_FDS=2 with one socket: exit 2 naming fd 4, which holds the runtime's own descriptor", async () => {
    const l = launch(1, corral(["--", "true"]), { LISTEN_FDS: "2" });
    const r = await l.done;
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /LISTEN_FDS=2: expected fds 3 to 4 to be open when corral starts, but fd 4 holds .*(node|deno)'s own/);
  });

  test("LISTEN_PID of another process: nothing is passed, the variables reach the job unchanged", async () => {
    const l = launch(1, corral(["--", "sleep", "30"]), { LISTEN_FDS: "1", LISTEN_PID: "999999" });
    await l.ports;
    const pid = await hostPid(l.pid, "sleep");
    assert.equal(fdsOf(pid), [0, 1, 2]);
    assert.match(readFileSync(`/proc/${pid}/environ`, "latin1"), /\0LISTEN_PID=999999\0/);
    process.kill(pid, "SIGTERM");
    await l.done;
  });

  test("config mode: the inherit=listen_fds program gets the socket; another gets neither it nor LISTEN_*/NOTIFY_SOCKET", async () => {
    const dir = mkdtempSync(join(tmpdir(), "corral-sa-"));
    try {
      const conf = join(dir, "corral.conf");
      writeFileSync(join(dir, "job.py"), JOB);
      writeFileSync(conf, `[program:web]\ncommand=python3 ${join(dir, "job.py")} 1 ${JOB_MARK}\ninherit=listen_fds\nautorestart=false\nstartsecs=0\n\n` +
        `[program:other]\ncommand=sleep 30\nstartsecs=0\n`);
      const l = launch(1, corral(["--config", conf]), { LISTEN_FDS: "1", NOTIFY_SOCKET: join(dir, "nobody.sock") });
      const [port] = await l.ports;
      const { line, hangUp } = await ask(port!);
      const f = fieldsOf(line);
      assert.is(f["listen_pid"], f["pid"], line);
      const other = await hostPid(l.pid, "sleep");
      assert.equal(fdsOf(other), [0, 1, 2]);
      assert.not.match(readFileSync(`/proc/${other}/environ`, "latin1"), /LISTEN_|NOTIFY_SOCKET/);
      hangUp();
      // unshare's one child.
      const corralPid = Number(readFileSync(`/proc/${l.pid}/task/${l.pid}/children`, "latin1").trim().split(" ")[0]);
      process.kill(corralPid, "SIGTERM");
      const r = await l.done;
      assert.is(r.code, 0, r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("systemd-socket-activate (systemd's own launcher, LISTEN_PID = corral's pid): the job accepts the connection that started it", async () => {
  if (!have("systemd-socket-activate") || !have("python3")) return skip("systemd-socket-activate (systemd) and python3 are needed");
  // A free port: bound and released by this test (systemd-socket-activate binds it again).
  const probe = (await import("node:net")).createServer();
  const port = await new Promise<number>((resolve) => probe.listen(0, "127.0.0.1", () => resolve((probe.address() as { port: number }).port)));
  await new Promise((resolve) => probe.close(resolve));
  const child = spawn("systemd-socket-activate", ["-l", `127.0.0.1:${port}`, "--fdname=web", ...runtimeArgv(), "--", ...job(1)], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_EXTRA_CA_CERTS: "" },
  });
  let err = "";
  child.stderr.on("data", (d) => (err += d));
  const done = new Promise<number | null>((resolve) => child.on("close", resolve));
  let answer: { line: string; hangUp: () => void } | undefined;
  await until("systemd-socket-activate to listen", async () => {
    answer = await ask(port).catch(() => undefined);
    return answer !== undefined;
  });
  const f = fieldsOf(answer!.line);
  assert.is(f["listen_pid"], f["pid"], answer!.line);
  assert.is(f["names"], "web");
  answer!.hangUp();
  assert.is(await done, 0, err);
});

test.run();
