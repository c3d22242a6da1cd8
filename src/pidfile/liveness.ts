// Whether a pid names a running process, as seen from here.
import type { Os } from "../os/types.ts";
import { EPERM } from "../os/types.ts";

/**
 * True when the process exists and is not a zombie. kill(pid, 0) failing with EPERM means
 * it exists but belongs to someone else: running (sipid took that for dead). A zombie has
 * finished; only its parent's wait is missing.
 * @example isRunning(os, os.pid) // true
 */
export function isRunning(os: Os, pid: number): boolean {
  const r = os.kill(pid, 0);
  if (r !== 0 && r !== -EPERM) return false;
  return !isZombie(os, pid);
}

function isZombie(os: Os, pid: number): boolean {
  const state = os.processState(pid); // undefined: gone since kill(0), the next look says so
  return state === "Z" || state === "X";
}
