// Parsers for supervisord's value types (its datatypes.py), accepting exactly what it accepts:
// Python's int() (surrounding whitespace, a sign, digits joined by single underscores), its
// octal, byte sizes, booleans, exit codes and signal names. Each throws BadValue saying what was expected.
import { expected } from "./errors.ts";
import { SIGNALS, SIGRTMAX } from "../os/signals.ts";
import type { AutoRestart } from "./types.ts";

const TRUE = new Set(["yes", "true", "on", "1"]);
const FALSE = new Set(["no", "false", "off", "0"]);
const SIZE_UNITS: Readonly<Record<string, number>> = { kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
const MAX_EXIT_CODE = 255;
/** What supervisord's process_or_group_name refuses in a name: a space, ':' or '/' (a tab is fine). */
const NAME_FORBIDDEN = /[ :/]/;
const PY_INT = /^\s*([+-]?)(\d+(?:_\d+)*)\s*$/;
const PY_OCTAL = /^\s*([+-]?)(?:0[oO]_?)?([0-7]+(?:_[0-7]+)*)\s*$/;

/**
 * supervisord's signal table (Python's signal module on Linux: every SIG* attribute, the
 * handler and mask constants SIG_DFL, SIG_IGN, SIG_BLOCK, … included), by name without SIG.
 */
const SIGNAL_TABLE: Readonly<Record<string, number>> = {
  ...SIGNALS, IOT: 6, CLD: 17, POLL: 29, RTMIN: 34, RTMAX: SIGRTMAX, _DFL: 0, _IGN: 1, _BLOCK: 0, _UNBLOCK: 1, _SETMASK: 2,
};
/** The numbers supervisord accepts for a signal: the values of that table. */
const SIGNAL_NUMBERS: ReadonlySet<number> = new Set(Object.values(SIGNAL_TABLE));

/** Python's int(text), or undefined. @example toInteger(" 1_000 ") // 1000 */
export function toInteger(text: string): number | undefined {
  return pyInt(text);
}

function pyInt(text: string): number | undefined {
  const m = PY_INT.exec(text);
  return m ? Number(m[1]! + m[2]!.replaceAll("_", "")) : undefined;
}

/** Parses an integer as Python's int() does (supervisord's `integer`). @example integer(" -5 ") // -5 */
export function integer(text: string): number {
  const n = pyInt(text);
  if (n === undefined) throw expected("an integer", text);
  return n;
}

/** An integer from 1 to 65535 (supervisord's port_number). @example portNumber("9001") // 9001 */
export function portNumber(text: string): number {
  const n = integer(text);
  if (n < 1 || n > 65535) throw expected("a port number from 1 to 65535", text);
  return n;
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

/**
 * Parses a byte size as supervisord's byte_size: an integer with an optional KB/MB/GB suffix, any case.
 * @example byteSize("50MB") // 52428800
 */
export function byteSize(text: string): number {
  const t = text.toLowerCase();
  const unit = SIZE_UNITS[t.slice(-2)];
  const n = pyInt(unit ? t.slice(0, -2) : t);
  if (n === undefined) throw expected("a size like 50MB, 512KB or 0 (unlimited)", text);
  return n * (unit ?? 1);
}

/** Parses octal as Python's int(text, 8) (umask=, chmod=, socket_mode=). @example octal("022") // 18 */
export function octal(text: string): number {
  const m = PY_OCTAL.exec(text);
  if (!m) throw expected("an octal number like 022", text);
  return parseInt(m[1]! + m[2]!.replaceAll("_", ""), 8);
}

/** Parses comma-separated exit codes 0-255 (empty: none). @example exitCodes("0, 2") // [0, 2] */
export function exitCodes(text: string): number[] {
  if (!text) return [];
  return text.split(",").map((part) => {
    const n = pyInt(part);
    if (n === undefined || n < 0 || n > MAX_EXIT_CODE) throw expected("comma-separated exit codes from 0 to 255", text);
    return n;
  });
}

/**
 * Parses a signal as supervisord's signal_number: a number it knows, or a name with or without
 * SIG, any case (TERM, SIGTERM, 15, CLD, RTMIN…).
 * @example signal("HUP") // 1
 */
export function signal(text: string): number {
  const n = pyInt(text);
  const name = text.trim().toUpperCase().replace(/^SIG/, "");
  const num = n ?? (Object.hasOwn(SIGNAL_TABLE, name) ? SIGNAL_TABLE[name] : undefined);
  if (num === undefined || !SIGNAL_NUMBERS.has(num)) throw expected("a signal name or number like TERM, INT or 15", text);
  return num;
}

/**
 * A program or process name as supervisord allows it: no space, `:` or `/` (surrounding spaces dropped).
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
    if (!t || /[\s:/]/.test(t)) throw expected("comma-separated program names", text);
    return t;
  });
}

/** A non-empty value (a path). @example nonEmpty("/srv") // "/srv" */
export function nonEmpty(text: string): string {
  if (!text) throw expected("a path", text);
  return text;
}

/**
 * supervisord's list_of_strings: comma-separated, each part trimmed, empty text none.
 * @example stringList("a, b") // ["a", "b"]
 */
export function stringList(text: string): string[] {
  return text ? text.split(",").map((p) => p.trim()) : [];
}

/**
 * A Python entry point spec as supervisord imports it (result_handler=, an rpcinterface factory):
 * `module.path:attr` in pkg_resources' format. One of `known` is returned as is; another in
 * supervisor's own package cannot exist (supervisord refuses it); any other names a plugin
 * corral cannot load, and `plugin` is told (it decides what to say).
 * @example entryPoint("supervisor_stdout:event_handler", ["supervisor_stdout:event_handler"], warn) // "supervisor_stdout:event_handler"
 */
export function entryPoint(text: string, known: readonly string[], plugin: (spec: string) => void): string {
  const m = /^([\w.]+)\s*(?::\s*([\w.]+))?\s*(?:\[.*\])?\s*$/u.exec(text);
  if (!m) throw expected("a Python entry point like module.path:function", text);
  if (known.includes(text)) return text;
  if (m[1] === "supervisor" || m[1]!.startsWith("supervisor.")) throw expected(`one of ${known.join(", ")} (supervisord cannot import others from its own package)`, text);
  plugin(text);
  return text;
}
