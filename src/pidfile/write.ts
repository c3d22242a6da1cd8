// Writes a pidfile so that readers see the old content or the new, never a partial one.
import { renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Writes `text` to a temporary file beside `file` (created exclusively, so a planted symlink
 * is never followed) and renames it over `file`.
 * @example writeAtomically("/run/web.pid", "123\n", 4242)
 */
export function writeAtomically(file: string, text: string, ownPid: number): void {
  const temp = `${file}.${ownPid}.tmp`;
  rmSync(temp, { force: true }); // left by a crashed claim with our pid
  try {
    writeFileSync(temp, text, { flag: "wx", mode: 0o644 });
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
