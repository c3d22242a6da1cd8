// [supervisord] pidfile=: corral's own pid for scripts that signal it (seed 004's
// kill_supervisor.py reads /var/run/supervisord.pid and sends SIGQUIT).
import type { Os } from "../os/types.ts";
import { writeAtomically } from "../pidfile/write.ts";
import { warn } from "../log.ts";

/**
 * Writes `os.pid` into `file` (atomically, as supervisord writes its pidfile at start) and
 * removes it at exit while it still holds that pid; a failure is one warning, not fatal.
 * @example writeOwnPidfile(os, "/var/run/supervisord.pid", pid1.atExit)
 */
export function writeOwnPidfile(os: Os, file: string, atExit: (hook: () => void) => void): void {
  const text = `${os.pid}\n`;
  try {
    writeAtomically(os, file, text);
  } catch (err) {
    warn(`pidfile=${file}: cannot write it (${(err as Error).message}); going on without`);
    return;
  }
  atExit(() => {
    if (os.readText(file) === text) os.removeFile(file);
  });
}
