// PID-1 transparency as dumb-init has it: signals other processes send reach the job whatever
// they are, job-control stops stop a corral started from a shell, and corral pins no directory.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, corralPid, have, RUNTIME, runtimeArgv, runtimeCommand, skip, skipOn, start, until } from "../helpers.ts";

// bash traps each named signal and prints it; `wait` returns when a trap fires.
const trapper = (names: string[]) =>
  `${names.map((s) => `trap 'echo got ${s}' ${s};`).join(" ")} trap 'echo got TERM; exit 0' TERM; ` +
  `echo ready; while :; do sleep 100 & wait $!; done`;

/** The state letter of /proc/PID/stat (R, S, T, Z, ...). */
function stateOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

const FAULTS_AND_PIPE = ["PIPE", "ILL", "BUS", "FPE", "SEGV"];

for (const mode of [["-c"], []]) {
  test(`faults and SIGPIPE sent with kill(2) are forwarded to the job (${mode.length ? "--single-child" : "process group"})`, async () => {
    const c = start([...mode, "--", "bash", "-c", trapper(FAULTS_AND_PIPE)]);
    await c.waitFor("ready");
    const pid = await corralPid(c);
    for (const s of FAULTS_AND_PIPE) {
      process.kill(pid, `SIG${s}` as NodeJS.Signals);
      await c.waitFor(`got ${s}\n`);
    }
    process.kill(pid, "SIGTERM");
    const r = await c.done;
    assert.is(r.code, 0, r.stderr);
  });
}

test("corral's own EPIPE is not forwarded to the job as SIGPIPE", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-"));
  const log = join(dir, "traps");
  const { spawn } = await import("node:child_process");
  // corral's stderr is a pipe nobody reads: its -vv lines fail with EPIPE (and raise SIGPIPE).
  const job = `trap 'echo got PIPE >> ${log}' PIPE; sleep 0.5; echo done >> ${log}`;
  const child = spawn("bash", ["-c",
    `unshare --pid --fork --mount-proc ${runtimeCommand()} -vv -- bash -c "${job}" 2>&1 >/dev/null | true`], { stdio: "ignore" });
  await new Promise((res) => child.on("close", res));
  assert.is(readFileSync(log, "utf8"), "done\n");
  rmSync(dir, { recursive: true });
});

test("--rewrite applies to job-control signals: -r 21:15 turns SIGTTIN into SIGTERM", async () => {
  const c = start(["-r", "21:15", "-r", "TTOU:USR1", "-r", "TSTP:0", "--", "bash", "-c", trapper(["USR1", "TSTP", "TTIN", "TTOU"])]);
  await c.waitFor("ready");
  const pid = await corralPid(c);
  process.kill(pid, "SIGTTOU");
  await c.waitFor("got USR1");
  process.kill(pid, "SIGTSTP"); // dropped
  process.kill(pid, "SIGTTIN");
  const r = await c.done;
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("got TERM"), r.stdout);
  assert.not.match(r.stdout, /got (TSTP|TTIN|TTOU)/);
});

/** The first child of `pid`. */
function childOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/)[0]);
}

test("as PID 1 with --single-child, TSTP/TTIN/TTOU are forwarded as they are and corral keeps running", async () => {
  const c = start(["-c", "--", "bash", "-c", trapper(["TSTP", "TTIN", "TTOU", "USR1"])]);
  await c.waitFor("ready");
  const pid = await corralPid(c);
  for (const s of ["TSTP", "TTIN", "TTOU"]) {
    process.kill(pid, `SIG${s}` as NodeJS.Signals);
    await c.waitFor(`got ${s}`);
  }
  process.kill(pid, "SIGUSR1"); // still handled: corral did not stop
  await c.waitFor("got USR1");
  assert.ok(stateOf(pid) !== "T", "PID 1 is not stopped");
  process.kill(pid, "SIGTERM");
  assert.is((await c.done).code, 0);
});

test("in group mode a job-control stop reaches the job as SIGSTOP (dumb-init's default); SIGCONT resumes it", async () => {
  const c = start(["--", "bash", "-c", trapper(["TSTP", "CONT"])]);
  await c.waitFor("ready");
  const pid = await corralPid(c);
  const job = childOf(pid);
  process.kill(pid, "SIGTSTP");
  await until("the job is stopped", () => stateOf(job) === "T");
  assert.ok(stateOf(pid) !== "T", "PID 1 is not stopped");
  process.kill(pid, "SIGCONT");
  await c.waitFor("got CONT");
  assert.not.match(c.stdout(), /got TSTP/);
  process.kill(pid, "SIGTERM");
  assert.is((await c.done).code, 0);
});

test("not PID 1: SIGTSTP is forwarded, then corral stops itself; SIGCONT resumes it and is forwarded", async () => {
  const c = start(["-c", "--", "bash", "-c", trapper(["TSTP", "CONT"])], { pid1: false });
  await c.waitFor("ready");
  const pid = c.child.pid!;
  process.kill(pid, "SIGTSTP");
  await c.waitFor("got TSTP");
  await until("corral is stopped", () => stateOf(pid) === "T");
  process.kill(pid, "SIGCONT");
  await c.waitFor("got CONT");
  await until("corral runs again", () => stateOf(pid) !== "T");
  process.kill(pid, "SIGTERM");
  assert.is((await c.done).code, 0);
});

test("not PID 1, group mode: SIGTTIN stops both the job and corral, as ^Z on `corral -- cmd` in a shell", async () => {
  const c = start(["--", "bash", "-c", trapper(["CONT"])], { pid1: false });
  await c.waitFor("ready");
  const pid = c.child.pid!;
  const job = childOf(pid);
  process.kill(pid, "SIGTTIN");
  await until("job and corral are stopped", () => stateOf(job) === "T" && stateOf(pid) === "T");
  process.kill(pid, "SIGCONT");
  await c.waitFor("got CONT");
  await until("both run again", () => stateOf(job) !== "T" && stateOf(pid) !== "T");
  process.kill(pid, "SIGTERM");
  assert.is((await c.done).code, 0);
});

test("corral moves to / once its job runs; the job starts where corral was started", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "corral-")));
  const c = start(["--", "sh", "-c", "pwd; echo ready; sleep 100"], { cwd: dir });
  await c.waitFor("ready");
  const pid = await corralPid(c);
  assert.is(c.stdout().split("\n")[0], dir);
  await until("corral's cwd is /", () => readlinkSync(`/proc/${pid}/cwd`) === "/");
  process.kill(pid, "SIGTERM");
  await c.done;
  rmSync(dir, { recursive: true });
});

test("config mode: relative --config and log paths still work after corral moved to / (restart, SIGHUP)", async () => {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "corral-")));
  const conf = (extra: string) => `[program:w]\ncommand=sh -c 'pwd; sleep 0.3'\nstdout_logfile=out.log\n` +
    `autorestart=true\nstartsecs=0\n${extra}`;
  writeFileSync(join(dir, "c.conf"), conf(""));
  const c = start(["-v", "--config", "c.conf"], { cwd: dir });
  const pid = await corralPid(c);
  await until("the program ran twice",
    () => { try { return readFileSync(join(dir, "out.log"), "utf8").split("\n").length > 2; } catch { return false; } });
  assert.is(readlinkSync(`/proc/${pid}/cwd`), "/");
  assert.ok(readFileSync(join(dir, "out.log"), "utf8").split("\n").filter(Boolean).every((l) => l === dir));
  writeFileSync(join(dir, "c.conf"), conf("[program:v]\ncommand=sh -c 'echo v-up; sleep 100'\n"));
  process.kill(pid, "SIGHUP");
  await c.waitFor("v: STARTING -> RUNNING");
  assert.not.match(c.stderr(), /config not reloaded/);
  process.kill(pid, "SIGTERM");
  assert.is((await c.done).code, 0);
  rmSync(dir, { recursive: true });
});

test("`corral -- /bin/true` loads no Node module beyond Node's own start but vm (the boot's): no http, https, tls, crypto, net, stream, dgram, os or module", async () => {
  if (RUNTIME !== "node") return skip("process.moduleLoadList is Node's");
  const dir = mkdtempSync(join(tmpdir(), "corral-"));
  const preload = join(dir, "lean.cjs");
  writeFileSync(preload, `
const base = new Set(process.moduleLoadList), exit = process.reallyExit;
process.reallyExit = function (c) {
  const extra = process.moduleLoadList.filter((m) => !base.has(m)).map((m) => m.replace(/^NativeModule /, ""));
  require("fs").writeSync(2, "LOADED " + extra.join(",") + "\\n");
  return exit.call(process, c);
};`);
  const { spawnSync } = await import("node:child_process");
  const heavy = /^(http|https|tls|crypto|net|stream|dgram|_http_\w+|_tls_\w+)$/;
  for (const args of [["--", "/bin/true"], ["-c", "--", "/bin/true"]]) {
    const r = spawnSync(process.execPath, ["-r", preload, BUNDLE, ...args], { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
    assert.is(r.status, 0, r.stderr);
    const loaded = /LOADED (.*)/.exec(r.stderr)![1]!.split(",").filter(Boolean);
    assert.equal(loaded.filter((m) => m !== "vm"), [], `loaded: ${loaded.join(" ")}`);
  }
  // A config without probes or prefixes, its default control socket turned off, loads no network code either;
  // with the default socket it loads net (and the stream and dgram Node's own listen() pulls in
  // through its cluster module), never http, https, tls or crypto.
  writeFileSync(join(dir, "c.conf"), "[program:t]\ncommand=true\nautorestart=false\nstartsecs=0\ncritical=true\n");
  for (const socket of ["", join(dir, "c.sock")]) {
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: "", CORRAL_CONTROL_SOCKET: socket };
    const r = spawnSync(process.execPath, ["-r", preload, BUNDLE, "--config", join(dir, "c.conf")], { encoding: "utf8", env });
    assert.is(r.status, 0, r.stderr);
    const loaded = /LOADED (.*)/.exec(r.stderr)![1]!.split(",").filter(Boolean);
    const allowed = socket ? /^(net|stream|dgram)$/ : /^$/;
    assert.equal(loaded.filter((m) => heavy.test(m) && !allowed.test(m)), [], `loaded: ${loaded.join(" ")}`);
    if (socket) assert.ok(loaded.includes("net"), `the default control socket needs net; loaded: ${loaded.join(" ")}`);
  }
  rmSync(dir, { recursive: true });
});

const PIDS_CGROUPS = "/sys/fs/cgroup/pids";

test("under a pids limit too low for the signal relay's thread corral says so and exits 1; it never runs without its relay", () => {
  if (!existsSync(join(PIDS_CGROUPS, "cgroup.procs"))) return skip(`no cgroup v1 pids controller at ${PIDS_CGROUPS}`);
  const group = join(PIDS_CGROUPS, `corral-test-${process.pid}`);
  mkdirSync(group);
  const seen: string[] = [];
  try {
    // From too few threads for the runtime itself (Node 20 hangs in its own start below 6: the
    // timeout ends it) up to enough for everything.
    for (let limit = 4; limit <= 40 && !seen.includes("ran"); limit++) {
      writeFileSync(join(group, "pids.max"), String(limit));
      const r = spawnSync("sh", ["-c", `echo $$ > ${group}/cgroup.procs && exec "$@"`, "sh", ...runtimeArgv(), "--", "sh", "-c", "echo RAN"],
        { encoding: "utf8", timeout: 3000, env: { ...process.env, NODE_EXTRA_CA_CERTS: "", CORRAL_CONTROL_SOCKET: "" } });
      if (r.stdout.includes("RAN")) {
        assert.is(r.status, 0, r.stderr);
        seen.push("ran");
      } else {
        assert.is.not(r.status, 0, `limit ${limit}: exit 0 without running the job; ${r.stderr}`);
        if (r.stderr.includes("cannot start the signal relay's thread")) {
          assert.match(r.stderr, /^corral: cannot start: cannot start the signal relay's thread \(EAGAIN: the container's pids limit is lower than the runtime needs; allow at least 16\)\n$/m);
          assert.is(r.status, 1);
          seen.push("relay");
        }
      }
    }
  } finally {
    rmdirSync(group);
  }
  assert.ok(seen.includes("relay"), `no limit stopped the relay's thread alone: ${seen.join(" ")}`);
  assert.ok(seen.includes("ran"), "no limit was enough");
});

/** Whether `pid` runs node and catches SIGTERM (Node's own start has installed its handler). */
function nodeCatchesTerm(pid: number): boolean {
  try {
    if (!readlinkSync(`/proc/${pid}/exe`).endsWith("node")) return false;
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return caught !== undefined && (BigInt(`0x${caught}`) & (1n << 14n)) !== 0n;
  } catch {
    return false;
  }
}

test("a SIGTERM that arrives during Node's own start, before any JavaScript runs, still reaches the job (PID 1)", async () => {
  if (skipOn("deno", "Node's start catches TERM with a handler of its own; Deno's does not")) return;
  for (let trial = 0; trial < 5; trial++) {
    const c = start(["--", "sleep", "5"]);
    // As early as the signal can be anything but dropped: once Node's own handler is in.
    let pid = 0;
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      try {
        pid = Number(readFileSync(`/proc/${c.child.pid}/task/${c.child.pid}/children`, "utf8").trim().split(/\s+/)[0]) || 0;
      } catch { /* unshare is starting */ }
      if (pid && nodeCatchesTerm(pid)) break;
    }
    process.kill(pid, "SIGTERM");
    const r = await c.done;
    assert.is(r.code, 128 + 15, `trial ${trial}: the job should die of the SIGTERM; ${r.stderr}`);
    assert.ok(r.ms < 4000, `trial ${trial}: ended after ${r.ms} ms, the job's whole sleep`);
  }
});

test("a script without a #! line runs through /bin/sh, as execvp (tini, dumb-init) runs it", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-noshebang-"));
  try {
    writeFileSync(join(dir, "plain.sh"), 'echo "plain $1 $2"; exit 4\n', { mode: 0o755 });
    const r = await start(["--", join(dir, "plain.sh"), "a", "b c"]).done;
    assert.is(r.stdout, "plain a b c\n", r.stderr);
    assert.is(r.code, 4);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the terminal goes back to corral's group when the job that was given it exits (not PID 1, under script(1))", () => {
  if (!have("script")) return skip("script (util-linux) is needed for a pseudo-terminal");
  const shell = `${runtimeCommand()} true; echo "tpgid=$(ps -o tpgid= -p $$) pgid=$(ps -o pgid= -p $$)"`;
  const r = spawnSync("script", ["-qc", `sh -c '${shell.replaceAll("'", "'\\''")}'`, "/dev/null"], { encoding: "utf8", timeout: 20_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
  const m = /tpgid=\s*(\d+) pgid=\s*(\d+)/.exec(r.stdout);
  assert.ok(m, r.stdout + r.stderr);
  assert.is(m![1], m![2], "the shell's group holds the terminal again");
});

/** An interactive bash on a pseudo-terminal: runs CMD, types ^Z, checks the prompt, then fg. */
const CTRL_Z = `
import os, pty, sys, time, select
pid, fd = pty.fork()
if pid == 0:
    os.environ["PS1"] = "PROMPT$ "
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
out = b""
def wait_for(text, timeout=15):
    global out
    end = time.time() + timeout
    while text.encode() not in out and time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            try: out += os.read(fd, 4096)
            except OSError: break
    if text.encode() not in out: sys.exit("no %r in: %s" % (text, out.decode(errors="replace")))
send = lambda s: os.write(fd, s.encode())
wait_for("PROMPT$ ")
# The job's output, not the echo of the typed line: $((…)) is only expanded when the job runs.
# exec: ^Z must not land while sh forks sleep (a vfork child stopped before its exec leaves
# the shell itself unstoppable, under any init).
send(sys.argv[1] + " -- sh -c 'echo job-up-$((1+1)); exec sleep 1'\\n")
wait_for("job-up-2")
send("\\x1a")
wait_for("Stopped")
send("echo prompt-back\\n")
wait_for("prompt-back\\r\\n")
send("fg\\n")
send("echo rc=$?\\n")
wait_for("rc=0")
send("exit\\n")
`;

test("^Z at a terminal stops the job and corral (not PID 1): the shell's prompt comes back, and fg finishes the job", () => {
  if (!have("python3") || !have("bash")) return skip("python3 and bash are needed for an interactive shell on a pseudo-terminal");
  const r = spawnSync("python3", ["-c", CTRL_Z, runtimeCommand()], { encoding: "utf8", timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
  assert.is(r.status, 0, r.stdout + r.stderr);
});

test.run();
