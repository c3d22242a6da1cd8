// Flags of the sipid-style subcommands (pidfile claim|kill, wait-until-healthy), parsed with mri.
// Go's flag package, which sipid uses, reads -name like --name: so do these.
import mri from "mri";
import { UsageError } from "./errors.ts";

/** One flag: with `arg` it takes a value (named so in messages), without it is a switch. */
export interface FlagSpec {
  name: string;
  arg?: string;
}

/** Parsed values by long name; `help` is set for -h/--help. */
export type CommandFlags = Record<string, string | boolean | undefined>;

const HELP: FlagSpec = { name: "help" };

/**
 * Parses `args` against `specs`: unknown flags, flags without their value and stray
 * arguments throw a UsageError naming them; a repeated flag keeps its last value.
 * @example parseCommandFlags(["-pid", "7"], [{ name: "pid", arg: "PID" }]) // { pid: "7", help: false }
 */
export function parseCommandFlags(args: readonly string[], specs: readonly FlagSpec[]): CommandFlags {
  const all = [...specs, HELP];
  let unknown: string | undefined;
  const parsed = mri(goSpelling(args, all), {
    alias: { ...Object.fromEntries(all.map((f) => [f.name, []])), help: ["h"] }, // strict mode knows alias keys only
    string: specs.filter((f) => f.arg).map((f) => f.name),
    boolean: all.filter((f) => !f.arg).map((f) => f.name),
    unknown: (flag: string) => { unknown = flag; },
  });
  if (unknown !== undefined) throw new UsageError(`unknown option ${unknown}`);
  if (parsed._.length) throw new UsageError(`unexpected argument "${parsed._[0]}"`);
  const values: CommandFlags = { help: parsed["help"] === true };
  for (const f of specs) {
    const raw: unknown = parsed[f.name];
    const last = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (f.arg && last !== undefined && (typeof last !== "string" || last === "")) {
      throw new UsageError(`--${f.name}: expected ${f.arg}`);
    }
    values[f.name] = last as string | boolean | undefined;
  }
  return values;
}

/**
 * Rewrites Go's spellings for mri: `-name` becomes `--name`, and a value-taking flag absorbs
 * the next argument as Go does (`--pid -3` is a bad pid, not an unknown flag -3).
 */
function goSpelling(args: readonly string[], specs: readonly FlagSpec[]): string[] {
  const byName = new Map(specs.map((f) => [f.name, f]));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const [, name, inline] = /^--?([a-z][a-z-]+)(=.*)?$/.exec(args[i]!) ?? [];
    const flag = name === undefined ? undefined : byName.get(name);
    if (!flag) out.push(args[i]!);
    else if (flag.arg && inline === undefined && i + 1 < args.length) out.push(`--${flag.name}=${args[++i]}`);
    else out.push(`--${flag.name}${inline ?? ""}`);
  }
  return out;
}

/**
 * The value of a flag that must be given.
 * @example requiredFlag(parseCommandFlags(["--pid-file", "/var/run/web.pid"], [{ name: "pid-file", arg: "FILE" }]), "pid-file", "FILE") // "/var/run/web.pid"
 */
export function requiredFlag(flags: CommandFlags, name: string, arg: string): string {
  const value = flags[name];
  if (typeof value !== "string") throw new UsageError(`--${name} ${arg} is required`);
  return value;
}
