// The pidfile's flock, taken so that it still guards the file at the path: claims replace
// the file by rename, so a lock won on a file that was renamed over (or removed) is worthless.
// The native fd is reached through /proc/self/fd, so Node and Deno (whose node:fs has fds
// of its own) read it alike.
import { readFileSync, statSync } from "node:fs";
import type { Os } from "../os/types.ts";
import { EAGAIN } from "../os/types.ts";

/** How often to retry when the file is replaced between open and lock before giving up. */
const LOCK_ATTEMPTS = 5;

/**
 * Takes an exclusive non-blocking flock on `file` (creating it if missing) and checks that the
 * locked file is still the one at `file`, retrying if it was replaced meanwhile.
 * Returns the fd to close when done, or an errno (EAGAIN: someone else holds it).
 * @example const lock = lockPidfile(os, "/run/web.pid"); if ("fd" in lock) os.closeFd(lock.fd);
 */
export function lockPidfile(os: Os, file: string): { fd: number } | { errno: number } {
  for (let attempt = 0; attempt < LOCK_ATTEMPTS; attempt++) {
    const fd = os.lockFile(file);
    if (fd < 0) return { errno: -fd };
    if (stillAtPath(fd, file)) return { fd };
    os.closeFd(fd);
  }
  return { errno: EAGAIN };
}

/**
 * The content of the file a lock holds (not whatever may be at its path by now).
 * @example const lock = lockPidfile(os, "/run/web.pid"); if ("fd" in lock) parsePidfile(readLocked(lock.fd));
 */
export function readLocked(fd: number): string {
  return readFileSync(`/proc/self/fd/${fd}`, "utf8");
}

function stillAtPath(fd: number, file: string): boolean {
  const held = statSync(`/proc/self/fd/${fd}`);
  const now = statSync(file, { throwIfNoEntry: false });
  return now !== undefined && now.ino === held.ino && now.dev === held.dev;
}
