// Removing a pidfile after a stop, without removing a newer claim's.
import type { Os } from "../os/types.ts";
import { EAGAIN } from "../os/types.ts";
import { warn } from "../log.ts";
import { parsePidfile } from "./content.ts";
import { lockPidfile, readLocked } from "./lock.ts";

/**
 * Removes `file` under its lock, unless a claim holds the lock right now or the file names
 * another process than `stoppedPid` (a start raced this stop and won): then it stays, with a note.
 * @example removePidfile(os, "/run/web.pid", 4242)
 */
export function removePidfile(os: Os, file: string, stoppedPid: number | undefined): void {
  if (!os.exists(file)) return;
  const lock = lockPidfile(os, file);
  if ("errno" in lock) {
    const why = lock.errno === EAGAIN ? "a claim holds its lock" : `cannot lock it (${os.errnoName(lock.errno)})`;
    warn(`pidfile kill: ${file} left in place: ${why}`);
    return;
  }
  try {
    const content = parsePidfile(readLocked(os, lock.fd));
    if ("pid" in content && content.pid !== stoppedPid) {
      warn(`pidfile kill: ${file} left in place: it now names process ${content.pid}`);
      return;
    }
    os.removeFile(file);
  } finally {
    os.closeFd(lock.fd);
  }
}
