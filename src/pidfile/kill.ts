// Stopping the process a pidfile names: SIGTERM, a grace period, then SIGKILL (SIGQUIT
// first with showStacks, so runtimes like Go and the JVM print their stacks).
import { readFileSync } from "node:fs";
import type { Os } from "../os/types.ts";
import { EPERM, ESRCH } from "../os/types.ts";
import { SIGKILL, SIGQUIT, SIGTERM } from "../os/signals.ts";
import { formatDuration } from "../health/duration.ts";
import { warn } from "../log.ts";
import { parsePidfile, quoteGarbage } from "./content.ts";
import { isRunning } from "./liveness.ts";
import { removePidfile } from "./remove.ts";

/** sipid's grace period between SIGTERM and SIGKILL. */
export const DEFAULT_KILL_TIMEOUT_MS = 20_000;
/** Time given to a SIGQUIT stack dump before SIGKILL, as in sipid. */
const STACK_DUMP_MS = 100;
/** How often to look whether the process is gone. */
const POLL_MS = 20;
/** How long SIGKILL may take to show (a process in uninterruptible sleep dies late). */
const AFTER_SIGKILL_MS = 5_000;

/** What `kill` was asked to do. */
export interface KillOptions {
  file: string;
  timeoutMs: number;
  showStacks: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function goneWithin(os: Os, pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (isRunning(os, pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

/**
 * Stops the process named by `options.file` and removes the file; resolves to the exit code.
 * 0: stopped, already gone, or no pidfile; 1: it could not be signalled (the file stays)
 * or survived SIGKILL.
 * @example await killPidfile(os, { file: "/run/web.pid", timeoutMs: 20_000, showStacks: true }) // 0
 */
export async function killPidfile(os: Os, options: KillOptions): Promise<number> {
  const { file } = options;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    warn(`pidfile kill: ${file} does not exist: nothing to stop`);
    return 0;
  }
  const content = parsePidfile(text);
  if (!("pid" in content)) {
    const what = "garbage" in content ? `holds ${quoteGarbage(content.garbage)}, not a process id` : "is empty";
    warn(`pidfile kill: ${file} ${what}: nothing to stop`);
    removePidfile(os, file, undefined);
    return 0;
  }
  const { pid } = content;
  const term = isRunning(os, pid) ? os.kill(pid, SIGTERM) : -ESRCH;
  if (term === -EPERM) {
    warn(`pidfile kill: not permitted to signal process ${pid} (${file}); the pidfile stays`);
    return 1;
  }
  if (term === -ESRCH) warn(`pidfile kill: process ${pid} (${file}) is not running: removing the pidfile`);
  if (term === -ESRCH || (await goneWithin(os, pid, options.timeoutMs))) {
    removePidfile(os, file, pid);
    return 0;
  }
  warn(`pidfile kill: process ${pid} still running ${formatDuration(options.timeoutMs)} after SIGTERM: ` +
    `sending ${options.showStacks ? "SIGQUIT, then " : ""}SIGKILL`);
  if (options.showStacks) {
    os.kill(pid, SIGQUIT);
    await sleep(STACK_DUMP_MS);
  }
  os.kill(pid, SIGKILL);
  const gone = await goneWithin(os, pid, AFTER_SIGKILL_MS);
  removePidfile(os, file, pid);
  if (gone) return 0;
  warn(`pidfile kill: process ${pid} still running ${formatDuration(AFTER_SIGKILL_MS)} after SIGKILL`);
  return 1;
}
