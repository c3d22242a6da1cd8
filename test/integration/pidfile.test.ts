// `corral pidfile claim|kill` and sipid's spelling, against real processes and real flocks.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, BUNDLE, have, run, skip, until, type Finished } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-pidfile-"));
chmodSync(dir, 0o755); // the EPERM test claims as nobody
let n = 0;
/** A pidfile path in a directory of its own (made world-writable for the EPERM test). */
function fresh(): string {
  const sub = join(dir, `p${++n}`);
  mkdirSync(sub, { mode: 0o777 });
  chmodSync(sub, 0o777);
  return join(sub, "job.pid");
}
const corral = (args: string[]) => run(args, { pid1: false });
const claim = (pid: number, file: string) => corral(["pidfile", "claim", "--pid", String(pid), "--pid-file", file]);
const lines = (r: Finished) => r.stderr.trim().split("\n").filter(Boolean);

const children: ChildProcess[] = [];
/** A live process of our own (sh with `body`), stopped at the end of the file. */
function child(body = "exec sleep 60"): ChildProcess {
  const c = spawn("sh", ["-c", body], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(c);
  return c;
}
/** A `flock` holding `file`'s lock until killed; resolves once it holds it. */
async function lockHolder(file: string): Promise<ChildProcess> {
  const holder = spawn("flock", ["--exclusive", file, "sh", "-c", "echo locked; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
  children.push(holder);
  await new Promise((r) => holder.stdout!.once("data", r));
  return holder;
}
/** The pid of a process that has exited and been reaped. */
async function stalePid(): Promise<number> {
  const c = spawn("true");
  await new Promise((r) => c.on("close", r));
  return c.pid!;
}

test("claim creates a missing directory and writes the pid", async () => {
  const file = join(dir, "missing", "deeper", "job.pid");
  const r = await claim(4242, file);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.is(readFileSync(file, "utf8"), "4242\n");
});

test("claim takes over an empty file and a pidfile whose process is gone", async () => {
  const file = fresh();
  await claim(1111, file);
  writeFileSync(file, "");
  assert.is((await claim(2222, file)).code, 0);
  assert.is(readFileSync(file, "utf8"), "2222\n");
  writeFileSync(file, `${await stalePid()}\n`);
  const r = await claim(3333, file);
  assert.is(r.code, 0, r.stderr);
  assert.is(readFileSync(file, "utf8"), "3333\n");
});

test("claim refuses a running process: the same pid is already in the pidfile, another already exists", async () => {
  const file = fresh();
  const live = child().pid!;
  await claim(live, file);
  const same = await claim(live, file);
  assert.is(same.code, 1);
  assert.equal(lines(same), [`corral: pidfile claim: process ${live} (${file}) is already in the pidfile`]);
  const other = await claim(5555, file);
  assert.is(other.code, 1);
  assert.equal(lines(other), [`corral: pidfile claim: process ${live} (${file}) already exists`]);
  assert.is(readFileSync(file, "utf8"), `${live}\n`);
});

test("a zombie counts as gone: claim takes its pidfile over, kill just removes it", async () => {
  const file = fresh();
  // sh forks a short sleep and execs into a long one, which never reaps it.
  const c = child("sleep 0.3 & echo $!; exec sleep 60");
  const zombie = await new Promise<number>((r) => c.stdout!.once("data", (d) => r(Number(String(d).trim()))));
  await until("the short sleep to become a zombie", () => !alive(zombie), 2000, 10);
  assert.ok(existsSync(`/proc/${zombie}`), "a zombie exists");
  writeFileSync(file, `${zombie}\n`);
  const killed = await corral(["pidfile", "kill", "--pid-file", file]);
  assert.is(killed.code, 0);
  assert.equal(lines(killed), [`corral: pidfile kill: process ${zombie} (${file}) is not running: removing the pidfile`]);
  writeFileSync(file, `${zombie}\n`);
  assert.is((await claim(6666, file)).code, 0);
});

test("claim ignores garbage and negative content with a warning", async () => {
  for (const content of ["garbage\n", "-1\n", "0"]) {
    const file = fresh();
    writeFileSync(file, content);
    const r = await claim(7777, file);
    assert.is(r.code, 0, r.stderr);
    assert.equal(lines(r), [`corral: pidfile claim: ${file}: ignoring ${JSON.stringify(content.trim())}: not a process id`]);
    assert.is(readFileSync(file, "utf8"), "7777\n");
  }
});

test("claim treats a process it may not signal (EPERM) as running", async () => {
  if (!have("setpriv")) return skip("setpriv(1) is not installed");
  if (process.getuid?.() !== 0) return skip("needs root to claim as nobody");
  const file = fresh();
  writeFileSync(file, `${process.pid}\n`); // names a root process; nobody may rewrite the file
  chmodSync(file, 0o666);
  // nobody must be able to read the bundle, wherever the checkout is (a mktemp -d clone is 0700).
  const dist = mkdtempSync(join(tmpdir(), "corral-dist-"));
  chmodSync(dist, 0o755);
  for (const f of readdirSync(join(BUNDLE, ".."), { withFileTypes: true })) {
    if (f.isFile()) copyFileSync(join(BUNDLE, "..", f.name), join(dist, f.name));
  }
  const asNobody = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, join(dist, "corral.js"),
    "pidfile", "claim", "--pid", "8888", "--pid-file", file], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  asNobody.stderr!.on("data", (d) => (stderr += d));
  const code = await new Promise((resolve) => asNobody.on("close", resolve));
  rmSync(dist, { recursive: true, force: true });
  assert.is(code, 1, stderr);
  assert.is(stderr, `corral: pidfile claim: process ${process.pid} (${file}) already exists\n`);
});

test("claim fails at once while another process holds the pidfile's lock", async () => {
  if (!have("flock")) return skip("flock(1) is not installed");
  const file = fresh();
  writeFileSync(file, "");
  const holder = await lockHolder(file);
  const r = await claim(9999, file);
  assert.is(r.code, 1);
  assert.equal(lines(r), [`corral: pidfile claim: ${file}: another claim holds its lock`]);
  assert.ok(r.ms < 5000, `${r.ms} ms`);
  holder.kill("SIGKILL");
});

test("100 concurrent claims on one pidfile: exactly one wins, and the file names it", async () => {
  const file = fresh();
  const sleepers = Array.from({ length: 100 }, () => child().pid!);
  const results = await Promise.all(sleepers.map((pid) => claim(pid, file)));
  const winners = sleepers.filter((_, i) => results[i]!.code === 0);
  assert.is(winners.length, 1, results.map((r) => r.stderr).join(""));
  assert.is(readFileSync(file, "utf8"), `${winners[0]}\n`);
  for (const r of results) {
    if (r.code !== 0) {
      assert.is(r.code, 1);
      assert.match(r.stderr, /another claim holds its lock|already exists/);
    }
  }
  assert.equal(readFileSync(file, "utf8").split("\n").length, 2);
});

test("kill stops a process with SIGTERM and removes the pidfile", async () => {
  const file = fresh();
  const c = child();
  await claim(c.pid!, file);
  const r = await corral(["pidfile", "kill", "--pid-file", file]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stderr, "");
  assert.not.ok(alive(c.pid!));
  assert.not.ok(existsSync(file));
});

test("kill escalates to SIGKILL after --timeout; with --show-stacks SIGQUIT comes 100 ms before", async () => {
  const stubborn = `trap '' TERM; trap 'echo stack dump' QUIT; echo ready; while :; do sleep 0.05; done`;
  for (const showStacks of [true, false]) {
    const file = fresh();
    const c = child(stubborn);
    let out = "";
    c.stdout!.on("data", (d) => (out += d));
    const exited = new Promise<string | null>((res) => c.on("exit", (_code, signal) => res(signal)));
    await until("the stubborn process to trap its signals", () => out.includes("ready"), 5000, 10);
    await claim(c.pid!, file);
    const r = await corral(["pidfile", "kill", "--pid-file", file, "--timeout", "1s", ...(showStacks ? ["--show-stacks"] : [])]);
    assert.is(r.code, 0, r.stderr);
    assert.is(await exited, "SIGKILL");
    assert.ok(r.ms >= 1000 && r.ms < 8000, `${r.ms} ms`);
    const sent = showStacks ? "SIGQUIT, then SIGKILL" : "SIGKILL";
    assert.equal(lines(r), [`corral: pidfile kill: process ${c.pid} still running 1s after SIGTERM: sending ${sent}`]);
    assert.is(out.includes("stack dump"), showStacks, out);
    assert.not.ok(existsSync(file));
  }
});

test("kill removes the pidfile of a process already gone, and a missing pidfile is not an error", async () => {
  const file = fresh();
  await claim(await stalePid(), file);
  const pid = Number(readFileSync(file, "utf8"));
  const r = await corral(["pidfile", "kill", "--pid-file", file]);
  assert.is(r.code, 0);
  assert.equal(lines(r), [`corral: pidfile kill: process ${pid} (${file}) is not running: removing the pidfile`]);
  assert.not.ok(existsSync(file));
  const again = await corral(["pidfile", "kill", "--pid-file", file]);
  assert.is(again.code, 0);
  assert.equal(lines(again), [`corral: pidfile kill: ${file} does not exist: nothing to stop`]);
});

test("kill leaves the pidfile in place while a claim holds its lock", async () => {
  if (!have("flock")) return skip("flock(1) is not installed");
  const file = fresh();
  await claim(await stalePid(), file);
  const holder = await lockHolder(file);
  const r = await corral(["pidfile", "kill", "--pid-file", file]);
  assert.is(r.code, 0);
  assert.match(r.stderr, `${file} left in place: a claim holds its lock`);
  assert.ok(existsSync(file));
  holder.kill("SIGKILL");
});

test("usage errors exit 2 with one line naming the flag", async () => {
  for (const [args, message] of [
    [["pidfile", "claim", "--pid-file", "/tmp/x.pid"], "--pid PID is required"],
    [["pidfile", "claim", "--pid", "-3", "--pid-file", "/tmp/x.pid"], `--pid: expected a process id 1-4194304, got "-3"`],
    [["pidfile", "kill", "--pid-file", "/tmp/x.pid", "--timeout", "20"], `--timeout: expected a duration with a unit like 20s, 1m, 500ms or 2m30s, got "20"`],
    [["pidfile", "kill", "--pidfile", "/tmp/x.pid"], "unknown option --pidfile"],
    [["pidfile", "stop"], `expected claim or kill, got "stop" (see corral pidfile --help)`],
  ] as const) {
    const r = await corral([...args]);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(lines(r), [`corral: pidfile: ${message}`]);
  }
});

test("invoked as sipid: claim and kill with sipid's spelling, usage on stderr and exit 1", async () => {
  const sipid = join(dir, "sipid");
  symlinkSync(BUNDLE, sipid);
  const node = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [sipid, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr!.on("data", (d) => (stderr += d));
    c.on("close", (code) => resolve({ code, stderr }));
  });
  const file = fresh();
  const c = child();
  assert.is((await node(["claim", "-pid", String(c.pid), "-pid-file", file])).code, 0);
  assert.is((await node(["claim", "--pid", String(c.pid), "--pid-file", file])).code, 1);
  assert.is((await node(["kill", "--pid-file", file, "--show-stacks"])).code, 0);
  assert.not.ok(alive(c.pid!));
  assert.not.ok(existsSync(file));
  const bad = await node(["claim", "--pid-file", file]);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^sipid: --pid PID is required\nusage: sipid claim --pid PID --pid-file PID_FILE\n/);
});

test.after(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

test.run();
