// `corral --config FILE --check [--strict]`: what corral would run, and every warning, without
// starting anything. Exit 0, or 2 with the one-line error (--strict: warnings are errors).
import { UsageError, EXIT_USAGE } from "../core/errors.ts";
import type { Flags } from "./flags.ts";
import { loadConfig } from "../config/load.ts";
import type { Config, LogTarget, ProgramSpec } from "../config/types.ts";
import type { Env } from "../config/expand.ts";
import { warn } from "../log.ts";
import type { Os } from "../os/types.ts";
import { SIGNALS } from "../os/signals.ts";

/** What --check prints and how it exits. */
export interface CheckResult {
  /** The listing (stdout): one `KIND NAME KEY=VALUE` line per resolved field, then the warnings. */
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

/**
 * A value as --check prints it: a plain word bare, anything else (empty, spaces, quotes) as a JSON string.
 * @example checkValue("x y") // "\"x y\""; checkValue(15) // "15"
 */
export function checkValue(v: string | number | boolean): string {
  const s = String(v);
  return SAFE_WORD.test(s) && !s.startsWith('"') ? s : JSON.stringify(s);
}

/** A log target in supervisord's words: /dev/stdout, /dev/stderr (corral's own), NONE, or the file. */
function target(t: LogTarget): string {
  return t.kind === "inherit" ? `/dev/${t.fd === 1 ? "stdout" : "stderr"}` : t.kind === "null" ? "NONE" : t.path;
}

/** An octal mode as written in a config: 022, 0700. */
const octal = (n: number) => `0${n.toString(8).padStart(2, "0")}`;

/** A signal by its name without SIG (TERM), a number when it has none. */
const signal = (n: number) => Object.keys(SIGNALS).find((k) => SIGNALS[k] === n) ?? n;

/** One process's fields, in supervisord's key names. */
function processFields(kind: string, p: ProgramSpec): [string, string | number | boolean][] {
  const fields: [string, string | number | boolean][] = [
    ["section", `${kind}:${p.program ?? p.group}`], ["group", p.group],
    p.spawnError ? ["spawnerr", p.spawnError] : ["command", shellLine(p.command)],
    ["priority", p.priority], ["autostart", p.autostart], ["autorestart", p.autorestart], ["startsecs", p.startsecs], ["startretries", p.startretries],
    ["exitcodes", p.exitcodes.join(",")], ["stopsignal", signal(p.stopsignal)], ["stopwaitsecs", p.stopwaitsecs],
    ["stopasgroup", p.stopasgroup ?? false], ["killasgroup", p.killasgroup ?? false],
    ["user", p.user ? `${p.user.name}` : "-"], ["uid", p.user?.uid ?? "-"], ["directory", p.directory ?? "-"], ["umask", p.umask === undefined ? "-" : octal(p.umask)],
    ["serverurl", p.serverUrl ?? "AUTO"], ["redirect_stderr", p.redirectStderr],
  ];
  for (const [channel, t, events] of [["stdout", p.stdout, p.stdoutEvents], ["stderr", p.stderr, p.stderrEvents]] as const) {
    // redirect_stderr: stderr goes where stdout goes (its own log settings do not apply).
    if (channel === "stdout" || !p.redirectStderr) {
      fields.push([`${channel}_logfile`, target(t)]);
      if (t.kind === "file") fields.push([`${channel}_logfile_maxbytes`, t.maxBytes], [`${channel}_logfile_backups`, t.backups]);
    }
    fields.push([`${channel}_events_enabled`, events ?? false]);
  }
  for (const [k, v] of Object.entries(p.environment)) fields.push([`environment.${k}`, v]);
  // corral's own keys, when set.
  if (p.critical) fields.push(["critical", true]);
  if (p.job) fields.push(["job", p.job]);
  if (p.dependsOn.length) fields.push(["depends_on", p.dependsOn.join(",")]);
  if (p.ready) fields.push(["ready", p.ready]);
  if (p.inherit?.length) fields.push(["inherit", p.inherit.join(",")]);
  return fields;
}

/** `HEAD KEY=VALUE` lines. */
const lines = (head: string, fields: [string, string | number | boolean][]) => fields.map(([k, v]) => `${head} ${k}=${checkValue(v)}`);

/**
 * The --check listing of a loaded config: one `KIND NAME KEY=VALUE` line per field corral
 * resolved (processes, then groups, listener pools and fcgi pools, then [supervisord] and its
 * servers), then the warnings. Passwords are shown as `(set)`.
 * @example checkReport(loadConfig(["/etc/supervisord.conf"], env)) // "process web section=program:web\nprocess web group=web\n…"
 */
export function checkReport(config: Config): string {
  const out: string[] = [];
  for (const p of config.programs) out.push(...lines(`process ${p.name}`, processFields(p.socket ? "fcgi-program" : "program", p)));
  for (const l of config.listeners) for (const p of l.processes) out.push(...lines(`process ${p.name}`, processFields("eventlistener", p)));
  // Every process group as supervisord makes them: a [group:x], else each program its own (an fcgi pool with its socket).
  const explicit = new Map(config.groups.map((g) => [g.name, g]));
  const names = [...new Set([...config.programs.map((p) => p.group), ...config.groups.map((g) => g.name)])];
  for (const name of names) {
    const members = config.programs.filter((p) => p.group === name);
    const first = members[0];
    const s = first?.socket;
    out.push(...lines(`${s ? "fcgi-program" : "group"} ${name}`, [
      ["priority", explicit.get(name)?.priority ?? first?.groupPriority ?? first!.priority], ["processes", members.map((p) => p.name).join(",")],
      ...(s ? [["socket", s.url], ["socket_backlog", s.backlog ?? "-"], ["socket_mode", s.mode === undefined ? "-" : octal(s.mode)],
        ["socket_owner", s.owner ? s.owner.join(":") : "-"]] as [string, string | number][] : []),
    ]));
  }
  for (const l of config.listeners) {
    out.push(...lines(`eventlistener ${l.name}`, [["priority", l.priority], ["processes", l.processes.map((p) => p.name).join(",")],
      ["events", l.events.join(",")], ["buffer_size", l.bufferSize], ["result_handler", l.resultHandler]]));
  }
  out.push(...lines("supervisord", [["pidfile", config.pidfile ?? "-"], ...Object.entries(config.environment).map(([k, v]) => [`environment.${k}`, v] as [string, string])]));
  const { unix, inet } = config.http;
  const auth = (c?: { username: string }): [string, string][] => (c ? [["username", c.username], ["password", "(set)"]] : []);
  if (unix) out.push(...lines("unix_http_server", [["file", unix.file], ["chmod", octal(unix.mode)], ["chown", unix.owner ? `${unix.owner.uid}:${unix.owner.gid}` : "-"], ...auth(unix.credentials)]));
  if (inet) out.push(...lines("inet_http_server", [["port", `${inet.address}:${inet.port}`], ...auth(inet.credentials)]));
  if (config.programs.length === 0) out.push("no programs yet");
  out.push(...config.warnings.map((w) => `warning: ${w}`));
  return out.map((l) => `${l}\n`).join("");
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
