// `corral --config FILE --check [--strict]`: what corral would run, and every warning, without
// starting anything. Exit 0, or 2 with the one-line error (--strict: warnings are errors).
import { UsageError, EXIT_USAGE } from "../core/errors.ts";
import type { Flags } from "./flags.ts";
import { loadConfig } from "../config/load.ts";
import type { Config, LogTarget, ProgramSpec } from "../config/types.ts";
import type { Env } from "../config/expand.ts";
import { warn } from "../log.ts";
import type { Os } from "../os/types.ts";

/** What --check prints and how it exits. */
export interface CheckResult {
  /** The listing (stdout): one line per process, listener pool and group, then the warnings. */
  report: string;
  /** The one-line error (stderr), when the config cannot be used. */
  error?: string;
  code: 0 | typeof EXIT_USAGE;
}

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/**
 * A command line as a shell would need it typed: plain words bare, others single-quoted.
 * @example shellLine(["sh", "-c", "echo hi"]) // "sh -c 'echo hi'"
 */
export function shellLine(argv: readonly string[]): string {
  return argv.map((w) => (SAFE_WORD.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(" ");
}

/** Where output goes, in a word: corral's stdout/stderr, none, or the file. */
function target(t: LogTarget): string {
  return t.kind === "inherit" ? (t.fd === 1 ? "corral-stdout" : "corral-stderr") : t.kind === "null" ? "none" : t.path;
}

/** One process line; a listener's stdout is the event protocol, never a log. */
function processLine(kind: "program" | "listener", p: ProgramSpec): string {
  const stdout = kind === "listener" ? "protocol" : target(p.stdout);
  return `${kind} ${p.name}: command=${JSON.stringify(shellLine(p.command))} user=${p.user?.name ?? "-"} autostart=${p.autostart} ` +
    `autorestart=${p.autorestart} priority=${p.priority} group=${p.group} stdout=${stdout} stderr=${p.redirectStderr ? "stdout" : target(p.stderr)}`;
}

/**
 * The --check listing of a loaded config.
 * @example checkReport(loadConfig(["/etc/supervisord.conf"], env)) // "program web: command=\"nginx\" …\n"
 */
export function checkReport(config: Config): string {
  const lines = [
    ...config.programs.map((p) => processLine("program", p)),
    ...config.listeners.flatMap((l) => [
      `listener-pool ${l.name}: events=${l.events.join(",")} buffer_size=${l.bufferSize} priority=${l.priority}`,
      ...l.processes.map((p) => processLine("listener", p)),
    ]),
    ...config.groups.map((g) => `group ${g.name}: priority=${g.priority} programs=${g.programs.join(",") || "-"}`),
    ...(config.pidfile ? [`pidfile ${config.pidfile}`] : []),
    ...(config.programs.length === 0 ? ["no programs yet"] : []),
    ...config.warnings.map((w) => `warning: ${w}`),
  ];
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * The one line --strict refuses a config with (its warnings count as errors), or undefined when it has none.
 * @example strictError(config, "/etc/supervisord.conf") // "--strict: 1 warning in /etc/supervisord.conf, the first: …"
 */
export function strictError(config: Config, path: string): string | undefined {
  const n = config.warnings.length;
  return n ? `--strict: ${n} warning${n === 1 ? "" : "s"} in ${path}, the first: ${config.warnings[0]}` : undefined;
}

/**
 * Loads `--config` as a run would and says what would run; `strict` makes any warning an error.
 * @example checkConfig({ config: "/etc/supervisord.conf", strict: true }, process.env).code // 0 or 2
 */
export function checkConfig(flags: Partial<Pick<Flags, "config" | "strict">>, env: Env): CheckResult {
  const path = flags.config;
  if (typeof path !== "string") return { report: "", error: "--check: expected --config FILE|DIR to check", code: EXIT_USAGE };
  let config: Config;
  try {
    config = loadConfig([path], env);
  } catch (e) {
    if (e instanceof UsageError) return { report: "", error: e.message, code: EXIT_USAGE };
    throw e;
  }
  const report = checkReport(config);
  const strict = flags.strict ? strictError(config, path) : undefined;
  if (strict) return { report, error: strict, code: EXIT_USAGE };
  return { report, code: 0 };
}

/**
 * Runs `corral --config FILE --check`: the listing through `print` (stdout), the error as
 * corral's one line on stderr, then exits 0 or 2.
 * @example runCheck(os, flags, (text, done) => process.stdout.write(text, done))
 */
export function runCheck(os: Os, flags: Partial<Pick<Flags, "config" | "strict">>, print: (text: string, done: () => void) => void): void {
  const result = checkConfig(flags, os.env);
  if (result.error) warn(result.error);
  print(result.report, () => os.exit(result.code));
}
