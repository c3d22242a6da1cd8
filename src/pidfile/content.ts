// What a pidfile says, read strictly: a kill(2) of 0 or a negative number would hit a
// whole process group (or everything), so anything but a plain process id counts as no pid.

/** Linux's largest possible pid (PID_MAX_LIMIT on 64-bit). */
export const PID_MAX = 4_194_304;

/** A pidfile's content: a process id, nothing, or something else (kept for the warning). */
export type PidfileContent = { pid: number } | { empty: true } | { garbage: string };

/**
 * Parses a process id: decimal digits, 1 to PID_MAX; undefined otherwise.
 * @example parsePid(" 42\n") // 42; parsePid("-1") // undefined
 */
export function parsePid(text: string): number | undefined {
  const t = text.trim();
  const n = /^\d{1,7}$/.test(t) ? Number(t) : 0;
  return n >= 1 && n <= PID_MAX ? n : undefined;
}

/**
 * Classifies what a pidfile holds.
 * @example parsePidfile("123\n") // { pid: 123 }; parsePidfile("") // { empty: true }
 */
export function parsePidfile(text: string): PidfileContent {
  if (text.trim() === "") return { empty: true };
  const pid = parsePid(text);
  return pid === undefined ? { garbage: text } : { pid };
}

/**
 * How a warning quotes content that is not a pid: trimmed, first line, at most 40 characters.
 * @example quoteGarbage("abc\n") // '"abc"'
 */
export function quoteGarbage(text: string): string {
  const line = text.trim().split("\n")[0]!;
  return JSON.stringify(line.length > 40 ? `${line.slice(0, 40)}…` : line);
}
