// Parsers for supervisord's value types; each throws BadValue saying what was expected.
import { parseSignal } from "../os/signals.ts";
import { expected } from "./errors.ts";
import type { AutoRestart } from "./types.ts";

const TRUE = new Set(["yes", "true", "on", "1"]);
const FALSE = new Set(["no", "false", "off", "0"]);
const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const MAX_EXIT_CODE = 255;
const MAX_UMASK = 0o777;
const NAME_FORBIDDEN = /[\s:/]/;

/** Parses an integer that may be negative (priority). @example integer("-5") // -5 */
export function integer(text: string): number {
  if (!/^[-+]?\d+$/.test(text)) throw expected("an integer", text);
  return Number(text);
}

/** Parses a whole number >= 0 (startsecs, startretries, …). @example nonNegative("3") // 3 */
export function nonNegative(text: string): number {
  if (!/^\+?\d+$/.test(text)) throw expected("a non-negative integer", text);
  return Number(text);
}

/** Parses a whole number >= 1 (numprocs). @example positive("2") // 2 */
export function positive(text: string): number {
  if (!/^\+?\d+$/.test(text) || Number(text) < 1) throw expected("a positive integer", text);
  return Number(text);
}

/** Parses supervisord's booleans (yes/no, true/false, on/off, 1/0, any case). @example boolean("Yes") // true */
export function boolean(text: string): boolean {
  const t = text.toLowerCase();
  if (TRUE.has(t)) return true;
  if (FALSE.has(t)) return false;
  throw expected("true or false (or yes/no, on/off, 1/0)", text);
}

/** Parses autorestart: a boolean or `unexpected`. @example autoRestart("unexpected") // "unexpected" */
export function autoRestart(text: string): AutoRestart {
  const t = text.toLowerCase();
  if (t === "unexpected") return "unexpected";
  if (TRUE.has(t)) return "true";
  if (FALSE.has(t)) return "false";
  throw expected("true, false or unexpected", text);
}

/** Parses a byte size: digits with an optional KB/MB/GB suffix (0 = unlimited). @example byteSize("50MB") // 52428800 */
export function byteSize(text: string): number {
  const m = /^(\d+)(kb|mb|gb)?$/i.exec(text);
  if (!m) throw expected("a size like 50MB, 512KB or 0 (unlimited)", text);
  return Number(m[1]) * SIZE_UNITS[(m[2] ?? "").toLowerCase()]!;
}

/** Parses an octal umask (022, 0o022). @example octal("022") // 18 */
export function octal(text: string): number {
  const m = /^(?:0o)?([0-7]+)$/i.exec(text);
  const n = m ? parseInt(m[1]!, 8) : NaN;
  if (!(n <= MAX_UMASK)) throw expected("an octal umask like 022", text);
  return n;
}

/** Parses comma-separated exit codes 0-255. @example exitCodes("0, 2") // [0, 2] */
export function exitCodes(text: string): number[] {
  if (!text) return [];
  return text.split(",").map((part) => {
    const t = part.trim();
    if (!/^\d+$/.test(t) || Number(t) > MAX_EXIT_CODE) throw expected("comma-separated exit codes from 0 to 255", text);
    return Number(t);
  });
}

/** Parses a signal name or number (TERM, SIGTERM, 15). @example signal("HUP") // 1 */
export function signal(text: string): number {
  const n = parseSignal(text);
  if (n === undefined) throw expected("a signal name or number like TERM, INT or 15", text);
  return n;
}

/**
 * A program or process name as supervisord allows it: non-empty, no spaces, `:` or `/`.
 * @example processName(" web ") // "web"
 */
export function processName(text: string): string {
  const t = text.trim();
  if (!t || NAME_FORBIDDEN.test(t)) throw expected("a name without spaces, ':' or '/'", text);
  return t;
}

/** A container-run job name (a directory under /var/vcap/data). @example jobName("web") // "web" */
export function jobName(text: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(text)) throw expected("a job name of letters, digits, '.', '_' and '-'", text);
  return text;
}

/** Comma-separated program or process names (depends_on=). @example nameList("db, cache") // ["db", "cache"] */
export function nameList(text: string): string[] {
  if (!text.trim()) return [];
  return text.split(",").map((part) => {
    const t = part.trim();
    if (!t || NAME_FORBIDDEN.test(t)) throw expected("comma-separated program names", text);
    return t;
  });
}

/** A non-empty value (directory=). @example nonEmpty("/srv") // "/srv" */
export function nonEmpty(text: string): string {
  if (!text) throw expected("a path", text);
  return text;
}
