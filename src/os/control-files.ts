// The two file-system questions `corral ctl` asks before it knows its transport.
import { existsSync, readFileSync } from "node:fs";

/**
 * A file's text; throws the fs error (with its `code`) when it cannot be read.
 * @example readText("/etc/supervisor/supervisord.conf")
 */
export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/**
 * Whether anything exists at `path`.
 * @example pathExists("/run/corral/corral.sock") // true while corral serves its default socket
 */
export function pathExists(path: string): boolean {
  return existsSync(path);
}
