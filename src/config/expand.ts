// supervisord's %(name)s expansion: Python's `value % names` (printf-style formatting with a
// mapping), every conversion Python has: s r a d i u o x X e E f F g G c and %%, with flags
// (-+ #0), width, precision and the ignored length modifiers (h l L).
import { BadValue, expected } from "./errors.ts";

/** Names a value may use: strings, or numbers for process_num and numprocs. */
export type Names = Readonly<Record<string, string | number>>;

/** corral's environment, as process.env gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

const CONVERSIONS = "sradiuoxXeEfFgGc";

/**
 * Python's repr() of a str (`ascii`: non-ASCII escaped too, as ascii() does).
 * @example pyRepr("it's") // "\"it's\""
 */
export function pyRepr(s: string, ascii = false): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const out = s.replace(/[\\'"\x00-\x1f\x7f-\uffff]/g, (ch) => {
    const c = ch.charCodeAt(0);
    if (ch === "\\" || ch === quote) return "\\" + ch;
    if (ch === "'" || ch === '"' || (c > 0x7f && !ascii)) return ch;
    const named = { "\n": "\\n", "\r": "\\r", "\t": "\\t" }[ch];
    return named ?? (c < 0x100 ? "\\x" + c.toString(16).padStart(2, "0") : "\\u" + c.toString(16).padStart(4, "0"));
  });
  return quote + out + quote;
}

/** %e's mantissa and a two-digit exponent, as C's printf (and Python) write it. */
function exponential(n: number, precision: number): string {
  const [m, e] = n.toExponential(precision).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** %g of a whole number: as written below 10**precision, else %e with trailing zeros dropped. */
function general(n: number, precision: number): string {
  const p = precision || 1;
  return n < 10 ** p ? String(n) : exponential(n, p - 1).replace(/\.?0+e/, "e");
}

/** One conversion of one value, or a BadValue saying why Python would refuse it. */
function convert(value: string | number, conv: string, flags: string, precision: number | undefined): { body: string; sign: string; numeric: boolean } {
  const alt = flags.includes("#");
  if (conv === "s" || conv === "r" || conv === "a") {
    let body = conv === "s" || typeof value === "number" ? String(value) : pyRepr(value, conv === "a");
    if (precision !== undefined) body = body.slice(0, precision);
    return { body, sign: "", numeric: false };
  }
  if (conv === "c") {
    if (typeof value === "number") {
      if (value < 0 || value > 0x10ffff) throw new BadValue(`%c arg not in range(0x110000), got ${value}`);
      return { body: String.fromCodePoint(value), sign: "", numeric: false };
    }
    if ([...value].length !== 1) throw new BadValue(`%c requires an int or a unicode character, got ${JSON.stringify(value)}`);
    return { body: value, sign: "", numeric: false };
  }
  if (typeof value !== "number") throw new BadValue(`%${conv} format: a real number is required, got the string ${JSON.stringify(value)}`);
  const sign = value < 0 ? "-" : flags.includes("+") ? "+" : flags.includes(" ") ? " " : "";
  const n = Math.abs(value);
  let body: string;
  if ("diu".includes(conv)) body = String(Math.trunc(n));
  else if (conv === "o") body = n.toString(8);
  else if (conv === "x" || conv === "X") body = n.toString(16);
  else if (conv === "e" || conv === "E") body = exponential(n, precision ?? 6);
  else if (conv === "f" || conv === "F") body = n.toFixed(precision ?? 6);
  else body = general(n, precision ?? 6);
  if ("diuoxX".includes(conv) && precision !== undefined) body = body.padStart(precision, "0");
  if (conv === "X" || conv === "E" || conv === "G") body = body.toUpperCase();
  if (alt && conv === "o") body = "0o" + body;
  if (alt && (conv === "x" || conv === "X")) body = "0" + conv + body;
  return { body, sign, numeric: true };
}

/**
 * Expands `text % names` as Python does for supervisord: `%(program_name)s`, `%(process_num)02d`,
 * `%(process_num)x`, `%(program_name)r`, `%%`… An unknown name, a lone `%`, a bad conversion or
 * a number conversion of a string is a BadValue.
 * @example expand("%(program_name)s_%(process_num)02d", { program_name: "web", process_num: 3 }) // "web_03"
 */
export function expand(text: string, names: Names): string {
  if (!text.includes("%")) return text;
  let out = "";
  let i = 0;
  const bad = (why: string) => new BadValue(`expected %(name)s forms or %% for a literal % (${why}), got ${JSON.stringify(text)}`);
  while (i < text.length) {
    const pct = text.indexOf("%", i);
    if (pct < 0) { out += text.slice(i); break; }
    out += text.slice(i, pct);
    i = pct + 1;
    if (text[i] === "%") { out += "%"; i++; continue; }
    let value: string | number | undefined;
    let name: string | undefined;
    if (text[i] === "(") {
      let depth = 1, j = i + 1;
      for (; j < text.length && depth > 0; j++) depth += text[j] === "(" ? 1 : text[j] === ")" ? -1 : 0;
      if (depth > 0) throw bad("an unclosed %(");
      name = text.slice(i + 1, j - 1);
      value = Object.hasOwn(names, name) ? names[name] : undefined;
      i = j;
    }
    const m = /^([-+ #0]*)(\*|\d*)(?:\.(\*|\d*))?[hlL]?(.?)/.exec(text.slice(i))!;
    const [all, flags, width, precision, conv] = m as unknown as [string, string, string, string | undefined, string];
    i += all.length;
    if (name !== undefined && value === undefined) {
      const known = Object.keys(names).filter((k) => !k.startsWith("ENV_")).sort().join(", ");
      throw expected(`a name in %(...)s that is ENV_<set variable> or one of ${known}`, `%(${name})${all}`);
    }
    if (!conv) throw bad("an incomplete format");
    if (!CONVERSIONS.includes(conv)) throw bad(`unsupported format character ${JSON.stringify(conv)}`);
    // A % with no (name): Python formats the whole mapping once; supervisord configs never mean that.
    if (value === undefined) throw bad(`%${conv} without a (name)`);
    if (width === "*" || precision === "*") throw bad("* wants int");
    const { body, sign, numeric } = convert(value, conv, flags, precision === undefined ? undefined : Number(precision || 0));
    const w = Number(width || 0);
    const len = [...body].length + sign.length;
    if (len >= w) out += sign + body;
    else if (flags.includes("-")) out += sign + body + " ".repeat(w - len);
    else if (flags.includes("0") && numeric) {
      const prefix = /^0[xXo]/.test(body) && flags.includes("#") ? body.slice(0, 2) : "";
      out += sign + prefix + "0".repeat(w - len) + body.slice(prefix.length);
    } else out += " ".repeat(w - len) + sign + body;
  }
  return out;
}

/**
 * corral's environment as %(ENV_X)s names.
 * @example envNames({ HOME: "/root" }) // { ENV_HOME: "/root" }
 */
export function envNames(env: Env): Names {
  return Object.fromEntries(Object.entries(env).flatMap(([k, val]) => (val === undefined ? [] : [[`ENV_${k}`, val]])));
}
