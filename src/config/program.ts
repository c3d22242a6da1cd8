// One [program:x] section → its ProgramSpecs (numprocs of them), with supervisord's defaults.
import { dirname, resolve } from "node:path";
import { BadValue, expected, where } from "./errors.ts";
import { expand, pyRepr, type Names } from "./expand.ts";
import { parseEnvironment } from "./environment.ts";
import type { IniSection } from "./ini.ts";
import { DEFAULTS, ignoredKey, isProgramKey, NO_EFFECT_KEYS } from "./keys.ts";
import { logTarget as logChoice } from "./logfile.ts";
import { readyProbe } from "./ready.ts";
import { sectionReader, type SectionReader } from "./section-reader.ts";
import { splitCommand } from "./shlex.ts";
import { INHERITABLE, type Inherited, type LogTarget, type ProgramSpec } from "./types.ts";
import { lookupUser } from "./users.ts";
import * as v from "./values.ts";

/** What a section needs from outside itself. */
export interface ProgramContext {
  /** ENV_* names from corral's environment. */
  envNames: Names;
  hostname: string;
  /** /etc/passwd text, asked for only when a section has user=. */
  passwd: () => string;
  /** /etc/group text (for supplementary groups), asked for only when a section has user=. */
  group?: () => string;
  /** [supervisord] environment=, under every program's own. */
  environment?: Readonly<Record<string, string>>;
  /** $HOME of corral's environment, for `~` in log file names (os.path.expanduser's). */
  home?: string;
  /** %(here)s when the section's own directory is not it. */
  here?: string;
  /** corral's uid (an fcgi unix socket is chowned to a program's user= when it differs). */
  uid?: number;
  warn: (message: string) => void;
}

/** Where a program belongs: its [group:x] or [eventlistener:x] pool (name and priority), or none (its own group). */
export interface Membership {
  group: string;
  priority: number;
}

/** How a section is read: as a [program:x] (default) or an [eventlistener:x] (its keys too). */
export interface SectionRole {
  listener?: boolean;
  fcgi?: boolean;
}

/**
 * supervisord's name for a process of a group: `GROUP:PROCESS`, or PROCESS when they are the same.
 * @example namespec("site", "web") // "site:web"
 */
export function namespec(group: string, process: string): string {
  return group === process ? process : `${group}:${process}`;
}

/**
 * The process name without its group, as supervisord's events and ProcessConfig.name carry it.
 * @example processNameOf({ name: "site:web" }) // "web"
 */
export function processNameOf(spec: Pick<ProgramSpec, "name">): string {
  return spec.name.slice(spec.name.indexOf(":") + 1);
}

/**
 * argv of a command line as supervisord splits it at spawn (shlex.split), or the spawn error
 * it reports instead: a command it cannot split fails that program at spawn, not the config.
 * @example commandArgv("sh -c 'x") // { argv: [], spawnError: "can't parse command \"sh -c 'x\": No closing quotation" }
 */
export function commandArgv(text: string): { argv: string[]; spawnError?: string } {
  let argv: string[];
  try {
    argv = splitCommand(text);
  } catch (e) {
    if (!(e instanceof BadValue)) throw e;
    const why = e.message.includes("closing") ? "No closing quotation" : "No escaped character";
    return { argv: [], spawnError: `can't parse command ${pyRepr(text)}: ${why}` };
  }
  return argv.length ? { argv } : { argv, spawnError: "command is empty" };
}

/** Drops the optional fields a section did not set, so specs compare and print cleanly. */
function defined<T extends object>(spec: T): T {
  return Object.fromEntries(Object.entries(spec).filter(([, val]) => val !== undefined)) as T;
}

/**
 * Python's os.path.expanduser, as supervisord applies it to log and pid file names: `~` is $HOME
 * (`home`), `~user` that user's home in /etc/passwd (`passwd` text); anything else as it is.
 * @example expandUser("~/x.log", "/root", () => "") // "/root/x.log"
 */
export function expandUser(path: string, home: string | undefined, passwd: () => string): string {
  if (!path.startsWith("~")) return path;
  const slash = path.indexOf("/", 1);
  const end = slash < 0 ? path.length : slash;
  let dir: string | undefined;
  if (end === 1) dir = home;
  else {
    try {
      dir = lookupUser(path.slice(1, end), passwd()).home;
    } catch {
      return path;
    }
  }
  if (dir === undefined) return path;
  return dir.replace(/\/+$/, "") + path.slice(end) || "/";
}

/** One channel's log settings, read in the process loop as supervisord does (the file name expanded twice, as it is there). */
function logTarget(r: SectionReader, names: Names, stream: "stdout" | "stderr", ctx: ProgramContext): { target: LogTarget; note?: string } {
  const fd = stream === "stdout" ? 1 : 2;
  const key = `${stream}_logfile`;
  const text = r.read(key, names, (t) => r.check(key, () => expand(t, names)), undefined);
  const backups = Math.max(r.read(`${key}_backups`, names, v.integer, DEFAULTS.logfileBackups), 0);
  const maxBytes = Math.max(r.read(`${key}_maxbytes`, names, v.byteSize, DEFAULTS.logfileMaxBytes), 0);
  const syslog = r.read(`${stream}_syslog`, names, v.boolean, false);
  const choice = text === undefined ? { target: { kind: "inherit", fd } as LogTarget } : logChoice(expandUser(text, ctx.home, ctx.passwd), fd, maxBytes, backups);
  if (syslog && choice.target.kind === "null") return { target: { kind: "inherit", fd }, note: `corral does not write to syslog; output goes to corral's ${stream}` };
  if (syslog) ctx.warn(`${r.prefix(`${stream}_syslog`)}no effect: corral does not write to syslog`);
  return choice;
}

/** What a section reads before its processes, with the names every process shares (no process_num yet), as supervisord does. */
interface Shared {
  priority: number;
  autostart: boolean;
  autorestart: ProgramSpec["autorestart"];
  startsecs: number;
  startretries: number;
  stopsignal: number;
  stopwaitsecs: number;
  stopasgroup: boolean;
  killasgroup: boolean;
  exitcodes: number[];
  redirectStderr: boolean;
  stdoutEvents: boolean;
  stderrEvents: boolean;
  serverUrl?: string;
  user?: ProgramSpec["user"];
  umask?: number;
}

function sharedSettings(r: SectionReader, names: Names, ctx: ProgramContext): Shared {
  const stopasgroup = r.read("stopasgroup", names, v.boolean, false);
  const killasgroup = r.read("killasgroup", names, v.boolean, stopasgroup);
  const shared: Shared = {
    priority: r.read("priority", names, v.integer, DEFAULTS.priority),
    autostart: r.read("autostart", names, v.boolean, DEFAULTS.autostart),
    autorestart: r.read("autorestart", names, v.autoRestart, DEFAULTS.autorestart),
    startsecs: r.read("startsecs", names, v.integer, DEFAULTS.startsecs),
    startretries: r.read("startretries", names, v.integer, DEFAULTS.startretries),
    stopsignal: r.read("stopsignal", names, v.signal, DEFAULTS.stopsignal),
    stopwaitsecs: r.read("stopwaitsecs", names, v.integer, DEFAULTS.stopwaitsecs),
    stopasgroup,
    killasgroup,
    exitcodes: r.read("exitcodes", names, v.exitCodes, [...DEFAULTS.exitcodes]),
    redirectStderr: r.read("redirect_stderr", names, v.boolean, false),
    stdoutEvents: r.read("stdout_events_enabled", names, v.boolean, false),
    stderrEvents: r.read("stderr_events_enabled", names, v.boolean, false),
    serverUrl: r.read("serverurl", names, (t) => (t.trim().toUpperCase() === "AUTO" || t === "" ? undefined : t), undefined),
    user: r.read("user", names, (text) => lookupUser(text, ctx.passwd(), ctx.group?.() ?? ""), undefined),
    umask: r.read("umask", names, v.octal, undefined),
  };
  for (const [key, { check, note }] of Object.entries(NO_EFFECT_KEYS)) {
    if (r.read(key, names, check, undefined) && note) ctx.warn(`${r.prefix(key)}no effect: ${note}`);
  }
  return shared;
}

/** One process of a program: `names` has process_num and numprocs; the section's environment= is read here. */
function processSpec(r: SectionReader, section: IniSection, program: string, group: Membership | undefined, names: Names,
  shared: Shared, ctx: ProgramContext): ProgramSpec {
  const own = r.read("environment", names, parseEnvironment, {});
  const environment = { ...ctx.environment, ...own };
  const all: Names = { ...names, ...Object.fromEntries(Object.entries(own).map(([k, val]) => [`ENV_${k}`, val])) };
  const directory = r.read("directory", all, (t) => t || undefined, undefined);
  let stdout = logTarget(r, all, "stdout", ctx);
  let stderr = logTarget(r, all, "stderr", ctx);
  if (stdout.note) ctx.warn(r.prefix("stdout_logfile") + stdout.note);
  if (shared.redirectStderr) {
    if (stderr.target.kind === "file") ctx.warn(`${r.prefix("stderr_logfile")}ignored: redirect_stderr=true sends stderr with stdout`);
    stderr = stdout;
  } else if (stderr.note) ctx.warn(r.prefix("stderr_logfile") + stderr.note);
  const line = r.read("command", all, (t) => t, undefined) ?? r.fail("command", new BadValue("expected a command line, got none"));
  const { argv, spawnError } = commandArgv(line);
  const process = r.read("process_name", all, v.processName, program);
  const { user, umask, serverUrl, stdoutEvents, stderrEvents, redirectStderr, ...rest } = shared;
  return defined({
    name: namespec(group?.group ?? program, process),
    group: group?.group ?? program,
    program,
    groupPriority: group?.priority ?? shared.priority,
    command: argv,
    commandLine: line,
    spawnError,
    ...rest,
    stopasgroup: shared.stopasgroup || undefined,
    killasgroup: shared.killasgroup || undefined,
    user,
    directory,
    umask,
    serverUrl,
    environment,
    redirectStderr,
    stdout: stdout.target,
    stderr: stderr.target,
    stdoutEvents: stdoutEvents || undefined,
    stderrEvents: stderrEvents || undefined,
    critical: r.read("critical", all, v.boolean, false),
    job: r.read("job", all, v.jobName, undefined),
    dependsOn: r.read("depends_on", all, v.nameList, []),
    ready: r.read("ready", all, readyProbe, undefined),
    logPrefix: r.read("log_prefix", all, v.boolean, undefined),
    logFormat: r.read("log_format", all, (text) => text === "text" || text === "json" ? text : badFormat(text), undefined),
    inherit: r.read("inherit", all, inheritList, undefined),
    origin: `${section.file}:${section.line}`,
  });
}

function badFormat(text: string): never {
  throw expected("text or json", text);
}

/** inherit=: a comma-separated subset of INHERITABLE. */
function inheritList(text: string): Inherited[] {
  const items = text.split(",").map((t) => t.trim()).filter(Boolean);
  const bad = items.find((t) => !(INHERITABLE as readonly string[]).includes(t));
  if (bad !== undefined) throw expected(`a comma-separated list of ${INHERITABLE.join(", ")}`, text);
  return [...new Set(items)] as Inherited[];
}

/**
 * Builds the processes of one [program:x] section. Values are expanded (%(ENV_X)s,
 * %(program_name)s, %(process_num)d, %(here)s, …) per process, then checked; anything
 * wrong is a ConfigError naming file, line, section and key; a key supervisord does not read
 * either is warned about and ignored. A member of a [group:x] is named `GROUP:PROCESS`.
 * depends_on stays as written.
 * @example programSpecs(readIni("[program:a]\ncommand=true", "a.conf")[0]!, "a", ctx)[0]!.command // ["true"]
 */
export function programSpecs(section: IniSection, name: string, ctx: ProgramContext, group?: Membership, role: SectionRole = {}): ProgramSpec[] {
  for (const [key, entry] of section.entries) {
    if (!entry.inherited && !isProgramKey(key, role.listener ?? false, role.fcgi ?? false)) ctx.warn(ignoredKey(where(entry.file ?? section.file, entry.line), section.name, key));
  }
  const r = sectionReader(section);
  const program = r.check("", () => v.processName(name));
  const base: Names = { ...ctx.envNames, here: ctx.here ?? dirname(resolve(section.file)), program_name: program, group_name: group?.group ?? program, host_node_name: ctx.hostname };
  const shared = sharedSettings(r, base, ctx);
  const numprocs = r.read("numprocs", base, v.integer, DEFAULTS.numprocs);
  const first = r.read("numprocs_start", base, v.integer, DEFAULTS.numprocsStart);
  const nameText = section.entries.get("process_name")?.value;
  if (nameText !== undefined) r.check("process_name", () => v.processName(nameText));
  if (numprocs > 1 && !(nameText ?? DEFAULTS.processName).includes("%(process_num)")) {
    r.fail(nameText !== undefined ? "process_name" : "numprocs", expected("%(process_num) in process_name when numprocs > 1", nameText ?? DEFAULTS.processName));
  }
  if (shared.stopasgroup && !shared.killasgroup) r.fail("killasgroup", new BadValue("cannot be false when stopasgroup=true (as supervisord)"));
  return Array.from({ length: Math.max(numprocs, 0) }, (_, i) => processSpec(r, section, program, group, { ...base, process_num: first + i, numprocs }, shared, ctx));
}
