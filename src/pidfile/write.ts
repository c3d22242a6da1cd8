// Writes a pidfile so that readers see the old content or the new, never a partial one.
import type { Os } from "../os/types.ts";

/**
 * Writes `text` to a temporary file beside `file` (created exclusively, so a planted symlink
 * is never followed) and renames it over `file`.
 * @example writeAtomically(os, "/run/web.pid", "123\n")
 */
export function writeAtomically(os: Os, file: string, text: string): void {
  const temp = `${file}.${os.pid}.tmp`;
  os.removeFile(temp); // left by a crashed claim with our pid
  try {
    os.writeNewFile(temp, text, 0o644);
    os.rename(temp, file);
  } catch (err) {
    os.removeFile(temp);
    throw err;
  }
}
