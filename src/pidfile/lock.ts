// The pidfile's flock, taken so that it still guards the file at the path: claims replace
// the file by rename, so a lock won on a file that was renamed over (or removed) is worthless.
// corral.node checks that after the lock (ESTALE) and reads the locked file through its fd,
// so Node and Deno (whose node:fs has fds of its own, and no /proc without --allow-all) alike.
import type { Os } from "../os/types.ts";
import { EAGAIN, ESTALE } from "../os/types.ts";

/** A pidfile is one number and a newline; anything longer than this is not read. */
const MAX_PIDFILE_BYTES = 4096;

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
    if (fd >= 0) return { fd };
    if (fd !== -ESTALE) return { errno: -fd };
  }
  return { errno: EAGAIN };
}

/**
 * The content of the file a lock holds (not whatever may be at its path by now).
 * @example const lock = lockPidfile(os, "/run/web.pid"); if ("fd" in lock) parsePidfile(readLocked(os, lock.fd));
 */
export function readLocked(os: Os, fd: number): string {
  const buffer = new Uint8Array(MAX_PIDFILE_BYTES);
  let length = 0;
  for (let n = os.readSome(fd, buffer); n > 0 && length < buffer.length; n = os.readSome(fd, buffer.subarray(length))) length += n;
  return new TextDecoder().decode(buffer.subarray(0, length));
}
