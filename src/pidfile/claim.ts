// Claiming a pidfile: at most one live owner, decided under the flock, written atomically.
import { dirname } from "node:path";
import type { Os } from "../os/types.ts";
import { EAGAIN } from "../os/types.ts";
import { warn } from "../log.ts";
import { parsePidfile, quoteGarbage } from "./content.ts";
import { errnoName } from "./errno.ts";
import { isRunning } from "./liveness.ts";
import { lockPidfile, readLocked } from "./lock.ts";
import { writeAtomically } from "./write.ts";

/** Whether the claim won, and if not, why (sipid's wording where sipid had one). */
export type ClaimResult = { claimed: true } | { claimed: false; reason: string };

/**
 * Writes `pid` to `file` unless another claim holds the file's lock or the file already
 * names a running process. Creates the directory; ignores a pidfile that names no process
 * (with a warning when it holds something else than a pid).
 * @example claimPidfile(os, "/var/vcap/sys/run/web/web.pid", 4242) // { claimed: true }
 */
export function claimPidfile(os: Os, file: string, pid: number): ClaimResult {
  os.makeDirectory(dirname(file), 0o755);
  const lock = lockPidfile(os, file);
  if ("errno" in lock) {
    const why = lock.errno === EAGAIN ? "another claim holds its lock" : `cannot lock it (${errnoName(lock.errno)})`;
    return { claimed: false, reason: `${file}: ${why}` };
  }
  try {
    const content = parsePidfile(readLocked(lock.fd));
    if ("garbage" in content) warn(`pidfile claim: ${file}: ignoring ${quoteGarbage(content.garbage)}: not a process id`);
    if ("pid" in content && isRunning(os, content.pid)) {
      const reason = content.pid === pid ? "is already in the pidfile" : "already exists";
      return { claimed: false, reason: `process ${content.pid} (${file}) ${reason}` };
    }
    writeAtomically(os, file, `${pid}\n`);
    return { claimed: true };
  } finally {
    os.closeFd(lock.fd);
  }
}
