// Running measured processes: in a fresh PID namespace, with a deadline, and finding
// the host pid of the namespace's PID 1 (the init) to signal it from outside.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_ENV, ROOT } from "./env.mjs";

/** Prefix that makes the next program PID 1 of a new PID namespace with its own /proc. */
export const IN_NAMESPACE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];

/** Generous deadline for one measured run; a case that needs less says so. */
export const RUN_TIMEOUT_MS = 30_000;

/**
 * Starts `argv` with the bench environment; stdout/stderr are collected unless `stdio` is
 * "ignore" or an open fd. Collected means a socketpair (libuv's), which a program cannot
 * open(2) as /dev/stdout: give such a program a file.
 * @example const p = start(["true"]); await p.done // { code: 0, ... }
 */
export function start(argv, { timeoutMs = RUN_TIMEOUT_MS, stdio = "pipe" } = {}) {
  const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, env: BENCH_ENV, stdio: ["ignore", stdio, stdio] });
  let stdout = "", stderr = "", timedOut = false;
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL"); // unshare --kill-child takes the namespace with it
  }, timeoutMs);
  const done = new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { child, done, stdout: () => stdout };
}

/**
 * Starts `argv` (`options` as for start()), hands it to `body`, then kills it (unshare
 * --kill-child takes the namespace with it); an error from `body` carries the process's output.
 * @example await during([...IN_NAMESPACE, "sleep", "9"], (run) => namespaceInit(run.child.pid))
 */
export async function during(argv, body, options) {
  const run = start(argv, options);
  const stop = () => {
    run.child.kill("SIGKILL");
    return run.done;
  };
  try {
    const result = await body(run);
    await stop();
    return result;
  } catch (err) {
    const { stdout, stderr } = await stop();
    err.message += `\n${stderr}${stdout}`;
    throw err;
  }
}

/**
 * Runs `argv` to its end and fails loudly unless it exits 0 within the deadline.
 * @example const { stdout } = await runOk([...IN_NAMESPACE, "true"]);
 */
export async function runOk(argv, options) {
  const r = await start(argv, options).done;
  if (r.code !== 0 || r.timedOut) {
    throw new Error(`${argv.join(" ")}: ${r.timedOut ? "timed out" : `exit ${r.code ?? r.signal}`}\n${r.stderr}${r.stdout}`);
  }
  return r;
}

/**
 * Host pids of the children of `pid`, zombies included, from every one of its threads (a
 * child belongs to the thread that forked it, and Node and Deno have many); [] once it is gone.
 * @example children(initPid).length === 0 // the job has been reaped
 */
export function children(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
      } catch {
        return []; // the thread ended meanwhile
      }
    });
  } catch {
    return [];
  }
}

/** The host pid of the only child of `unsharePid` (PID 1 of its namespace), if there is one yet. */
export const namespaceInit = (unsharePid) => children(unsharePid)[0];

const cell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Blocks the bench driver (never corral) for `ms`, sub-millisecond, without spinning a core.
 * @example sleepSync(0.2)
 */
export function sleepSync(ms) {
  if (ms > 0) Atomics.wait(cell, 0, 0, ms);
}

/** Milliseconds on the monotonic clock. */
export const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Polls `done()` every `pollMs` (blocking the bench driver, never corral) and returns the ms
 * from `since` until it first held; throws naming `what` after `timeoutMs`.
 * @example const ms = pollUntil(() => !existsSync(path), { what: "STOP", timeoutMs: 5000 })
 */
export function pollUntil(done, { what, timeoutMs, pollMs = 0.2, since = now() }) {
  for (;;) {
    if (done()) return now() - since;
    if (now() - since > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    sleepSync(pollMs);
  }
}

/**
 * Resolves once `done()` holds, checked every few ms without blocking the bench's event loop
 * (other processes under measurement may need it); rejects naming `what` after `timeoutMs`.
 * @example await waitFor(() => existsSync(marker), { what: "the first start", timeoutMs: 5000 })
 */
export async function waitFor(done, { what, timeoutMs }) {
  const deadline = now() + timeoutMs;
  while (!done()) {
    if (now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Resolves once `text` has appeared on the process's stdout (polled, the bench is not PID 1).
 * @example await stdoutHas(p, "ready\n", 5000)
 */
export async function stdoutHas(proc, text, timeoutMs) {
  await waitFor(() => {
    if (proc.child.exitCode !== null) throw new Error(`exited before "${text.trim()}" on stdout: ${proc.stdout()}`);
    return proc.stdout().includes(text);
  }, { what: `"${text.trim()}" on stdout`, timeoutMs });
}

/**
 * Peak RSS (VmHWM) of host pid `pid` in MiB, read from outside its namespace.
 * @example peakRssMiB(initPid) // 40.5
 */
export function peakRssMiB(pid) {
  const kb = Number(/^VmHWM:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  if (!kb) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return kb / 1024;
}

const CLOCK_TICKS_PER_S = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));

/**
 * CPU seconds (utime + stime, its own, not its children's) host pid `pid` has used so far.
 * @example const before = cpuSeconds(initPid)
 */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_S;
}

const LOG_TAIL_CHARS = 2000;

/**
 * Runs `body(dir, log)` with a fresh directory and `log`, an fd open on dir/pid1.log to give
 * measured processes as stdio (see start()); removes both afterwards. An error carries the log's tail.
 * @example await inScratch("supervisor", (dir, log) => during(argv, body, { stdio: log }))
 */
export async function inScratch(name, body) {
  const dir = mkdtempSync(join(tmpdir(), `corral-bench-${name}-`));
  const logPath = join(dir, "pid1.log");
  const log = openSync(logPath, "w");
  try {
    return await body(dir, log);
  } catch (err) {
    err.message += `\n${readFileSync(logPath, "utf8").slice(-LOG_TAIL_CHARS)}`;
    throw err;
  } finally {
    closeSync(log);
    rmSync(dir, { recursive: true, force: true });
  }
}
