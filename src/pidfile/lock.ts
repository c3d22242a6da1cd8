// The pidfile's flock, taken so that it still guards the file at the path: claims replace
// the file by rename, so a lock won on a file that was renamed over (or removed) is worthless.
// The native fd is reached through /proc/self/fd, so Node and Deno (whose node:fs has fds
// of its own) read it alike.
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
    if (stillAtPath(os, fd, file)) return { fd };
    os.closeFd(fd);
  }
  return { errno: EAGAIN };
}

/**
 * The content of the file a lock holds (not whatever may be at its path by now).
 * @example const lock = lockPidfile(os, "/run/web.pid"); if ("fd" in lock) parsePidfile(readLocked(os, lock.fd));
 */
export function readLocked(os: Os, fd: number): string {
  const text = os.readText(`/proc/self/fd/${fd}`);
  if (text === undefined) throw new Error(`cannot read the locked pidfile (fd ${fd})`);
  return text;
}

function stillAtPath(os: Os, fd: number, file: string): boolean {
  const now = os.fileId(file);
  return now !== undefined && now === os.fileId(`/proc/self/fd/${fd}`);
}
