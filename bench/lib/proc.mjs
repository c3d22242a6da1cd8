// Running measured processes: in a fresh PID namespace, with a deadline, and finding
// the host pid of the namespace's PID 1 (the init) to signal it from outside.
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { BENCH_ENV, ROOT } from "./env.mjs";

/** Prefix that makes the next program PID 1 of a new PID namespace with its own /proc. */
export const IN_NAMESPACE = ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child"];

/** Generous deadline for one measured run; a case that needs less says so. */
export const RUN_TIMEOUT_MS = 30_000;

/**
 * Starts `argv` with the bench environment; stdout/stderr are collected unless ignored.
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
 * Resolves once `text` has appeared on the process's stdout (polled, the bench is not PID 1).
 * @example await stdoutHas(p, "ready\n", 5000)
 */
export async function stdoutHas(proc, text, timeoutMs) {
  const deadline = now() + timeoutMs;
  while (!proc.stdout().includes(text)) {
    if (now() > deadline || proc.child.exitCode !== null) throw new Error(`no "${text.trim()}" on stdout: ${proc.stdout()}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
