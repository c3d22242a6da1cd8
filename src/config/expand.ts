// supervisord's %(name)s expansion (Python's `value % names`), with %% for a literal %.
import { expected } from "./errors.ts";

/** Names a value may use: strings, or numbers for process_num and numprocs. */
export type Names = Readonly<Record<string, string | number>>;

/** corral's environment, as process.env gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

// %% | %(name)FLAGS WIDTH .PRECISION TYPE (the subset supervisord configs use: s, d, i)
const DIRECTIVE = /%(?:(%)|\(([^)]*)\)([-0]*)(\d*)(?:\.(\d+))?([sdi])|)/g;

/** Applies Python's flags, width and precision to one expanded name. */
function format(value: string | number, flags: string, width: string, precision: string | undefined, type: string, text: string): string {
  let out: string;
  if (type === "s") {
    out = String(value);
    if (precision !== undefined) out = out.slice(0, Number(precision));
  } else if (typeof value === "number") {
    out = String(Math.trunc(value));
  } else {
    throw expected(`a number for %(...)${type}`, text);
  }
  const w = Number(width || 0);
  if (out.length >= w) return out;
  if (flags.includes("-")) return out.padEnd(w);
  if (flags.includes("0") && type !== "s") return out.startsWith("-") ? "-" + out.slice(1).padStart(w - 1, "0") : out.padStart(w, "0");
  return out.padStart(w);
}

/**
 * Expands `%(name)s` / `%(process_num)02d` and `%%` like supervisord; an unknown name
 * or a lone `%` is a BadValue naming what was allowed.
 * @example expand("%(program_name)s_%(process_num)02d", { program_name: "web", process_num: 3 }) // "web_03"
 */
export function expand(text: string, names: Names): string {
  return text.replace(DIRECTIVE, (match, percent, name, flags, width, precision, type) => {
    if (percent) return "%";
    if (type === undefined) throw expected("%(name)s, %(name)d or %% for a literal %", text);
    const value = names[name as string];
    if (value === undefined) {
      const known = Object.keys(names).filter((k) => !k.startsWith("ENV_")).sort().join(", ");
      throw expected(`a name in %(...)s that is ENV_<set variable> or one of ${known}`, match);
    }
    return format(value, flags, width, precision, type, text);
  });
}

/**
 * corral's environment as %(ENV_X)s names.
 * @example envNames({ HOME: "/root" }) // { ENV_HOME: "/root" }
 */
export function envNames(env: Env): Names {
  return Object.fromEntries(Object.entries(env).flatMap(([k, val]) => (val === undefined ? [] : [[`ENV_${k}`, val]])));
}
