// stdout_logfile / stderr_logfile values mapped onto where corral sends output.
import type { LogTarget } from "./types.ts";

/** What a logfile value means to corral; `note` is set when corral does something else than asked. */
export interface LogChoice {
  target: LogTarget;
  note?: string;
}

/** Device paths that mean "corral's own stdout/stderr" (what `docker logs` shows). */
const INHERIT: Readonly<Record<string, 1 | 2>> = { "/dev/fd/1": 1, "/dev/stdout": 1, "/dev/fd/2": 2, "/dev/stderr": 2 };
const NONE = new Set(["none", "off"]);

/**
 * Maps a logfile value: /dev/fd/1, /dev/stdout, /dev/fd/2, /dev/stderr → inherit that fd;
 * NONE/OFF and empty → null; AUTO and SYSLOG → inherit `fd` with a note; anything else → a file.
 * @example logTarget("/dev/fd/1", 2, 0, 10) // { target: { kind: "inherit", fd: 1 } }
 */
export function logTarget(value: string, fd: 1 | 2, maxBytes: number, backups: number): LogChoice {
  // supervisord keeps "" as a file name it never opens: no log, as NONE.
  if (!value) return { target: { kind: "null" } };
  const inherit = INHERIT[value];
  if (inherit) return { target: { kind: "inherit", fd: inherit } };
  const lower = value.toLowerCase();
  if (NONE.has(lower)) return { target: { kind: "null" } };
  const own = fd === 1 ? "stdout" : "stderr";
  if (lower === "auto") return { target: { kind: "inherit", fd }, note: `AUTO log files are not kept; output goes to corral's ${own}` };
  if (lower === "syslog") return { target: { kind: "inherit", fd }, note: `corral does not write to syslog; output goes to corral's ${own}` };
  return { target: { kind: "file", path: value, maxBytes, backups } };
}
