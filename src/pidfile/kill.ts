// Stopping the process a pidfile names: SIGTERM, a grace period, then SIGKILL (SIGQUIT
// first with showStacks, so runtimes like Go and the JVM print their stacks).
import { readFileSync } from "node:fs";
import type { Os } from "../os/types.ts";
import { EPERM, ESRCH } from "../os/types.ts";
import { SIGKILL, SIGQUIT, SIGTERM } from "../os/signals.ts";
import { formatDuration } from "../core/duration.ts";
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
  const pid = targetOf(os, file);
  if (pid === undefined) return 0;
  const term = isRunning(os, pid) ? os.kill(pid, SIGTERM) : -ESRCH;
  if (term === -EPERM) {
    warn(`pidfile kill: not permitted to signal process ${pid} (${file}); the pidfile stays`);
    return 1;
  }
  if (term === -ESRCH) warn(`pidfile kill: process ${pid} (${file}) is not running: removing the pidfile`);
  const gone = term === -ESRCH || (await goneWithin(os, pid, options.timeoutMs)) || (await forceKill(os, pid, options));
  removePidfile(os, file, pid);
  return gone ? 0 : 1;
}

/** The pid in `file`; undefined, after a note, when it names none (a useless file is removed). */
function targetOf(os: Os, file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    warn(`pidfile kill: ${file} does not exist: nothing to stop`);
    return undefined;
  }
  const content = parsePidfile(text);
  if ("pid" in content) return content.pid;
  const what = "garbage" in content ? `holds ${quoteGarbage(content.garbage)}, not a process id` : "is empty";
  warn(`pidfile kill: ${file} ${what}: nothing to stop`);
  removePidfile(os, file, undefined);
  return undefined;
}

/** After the grace period: SIGQUIT (with showStacks) and SIGKILL; true once the process is gone. */
async function forceKill(os: Os, pid: number, options: KillOptions): Promise<boolean> {
  warn(`pidfile kill: process ${pid} still running ${formatDuration(options.timeoutMs)} after SIGTERM: ` +
    `sending ${options.showStacks ? "SIGQUIT, then " : ""}SIGKILL`);
  if (options.showStacks) {
    os.kill(pid, SIGQUIT);
    await sleep(STACK_DUMP_MS);
  }
  os.kill(pid, SIGKILL);
  if (await goneWithin(os, pid, AFTER_SIGKILL_MS)) return true;
  warn(`pidfile kill: process ${pid} still running ${formatDuration(AFTER_SIGKILL_MS)} after SIGKILL`);
  return false;
}
