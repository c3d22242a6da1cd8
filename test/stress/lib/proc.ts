// Reading a process from /proc on the host: memory, CPU time, zombie descendants.
import { readFileSync } from "node:fs";
import { descendantsOf, sleep } from "../../helpers.ts";

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

function statusField(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

/** Resident set size of `pid` in KiB. */
export const rssKb = (pid: number) => statusField(pid, "VmRSS");

/**
 * Anonymous resident memory of `pid` in KiB (heap, stacks: what the process allocated), without
 * the file-backed pages of its binary and libraries, which grow as code runs for the first time.
 */
export const rssAnonKb = (pid: number) => statusField(pid, "RssAnon");

/** File-backed resident memory of `pid` in KiB (code and read-only data paged in from its binary). */
export const rssFileKb = (pid: number) => statusField(pid, "RssFile");

/** Peak resident set size (VmHWM) of `pid` in KiB. */
export const peakRssKb = (pid: number) => statusField(pid, "VmHWM");

/** User plus system CPU time of `pid` in clock ticks. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** Descendants of `root` that are zombies (exited, not yet reaped). */
export function zombiesUnder(root: number): number[] {
  return descendantsOf(root).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
      return stat[stat.lastIndexOf(")") + 2] === "Z";
    } catch {
      return false;
    }
  });
}

/**
 * Polls `check` every `everyMs` until it is true; false when `ms` pass first.
 * @example await eventually(() => existsSync(file), 5000)
 */
export async function eventually(check: () => boolean, ms: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** Whether `pid` exists (zombie or not). */
export function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
