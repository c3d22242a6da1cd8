// One [program:x] section → its ProgramSpecs (numprocs of them), with supervisord's defaults.
import { dirname, resolve } from "node:path";
import { BadValue, expected, where } from "./errors.ts";
import type { Names } from "./expand.ts";
import { parseEnvironment } from "./environment.ts";
import type { IniSection } from "./ini.ts";
import { DEFAULTS, ignoredKey, isProgramKey, NO_EFFECT_KEYS } from "./keys.ts";
import { logTarget, type LogChoice } from "./logfile.ts";
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

/** A command line split into argv; empty is an error. */
function commandLine(text: string): string[] {
  const argv = splitCommand(text);
  if (argv.length === 0) throw expected("a command line", text);
  return argv;
}

/** Drops the optional fields a section did not set, so specs compare and print cleanly. */
function defined<T extends object>(spec: T): T {
  return Object.fromEntries(Object.entries(spec).filter(([, val]) => val !== undefined)) as T;
}

/** stdout and stderr targets; redirect_stderr sends stderr where stdout goes. */
function logTargets(r: SectionReader, names: Names, redirect: boolean, warn: (m: string) => void): [LogTarget, LogTarget] {
  const target = (stream: "stdout" | "stderr", fd: 1 | 2): LogTarget => {
    const maxBytes = r.read(`${stream}_logfile_maxbytes`, names, v.byteSize, DEFAULTS.logfileMaxBytes);
    const backups = r.read(`${stream}_logfile_backups`, names, v.nonNegative, DEFAULTS.logfileBackups);
    const key = `${stream}_logfile`;
    const choice = r.read<LogChoice>(key, names, (text) => logTarget(text, fd, maxBytes, backups), { target: { kind: "inherit", fd } });
    if (choice.note) warn(r.prefix(key) + choice.note);
    return choice.target;
  };
  const stdout = target("stdout", 1);
  const stderr = target("stderr", 2);
  if (!redirect) return [stdout, stderr];
  if (stderr.kind === "file") warn(`${r.prefix("stderr_logfile")}ignored: redirect_stderr=true sends stderr with stdout`);
  return [stdout, stdout];
}

/** One process of a program, every value expanded with `names` (process_num included). */
function processSpec(r: SectionReader, section: IniSection, program: string, group: Membership | undefined, names: Names,
  ctx: ProgramContext): ProgramSpec {
  const own = r.read("environment", names, parseEnvironment, {});
  const environment = { ...ctx.environment, ...own };
  const all: Names = { ...names, ...Object.fromEntries(Object.entries(own).map(([k, val]) => [`ENV_${k}`, val])) };
  for (const [key, { check, note }] of Object.entries(NO_EFFECT_KEYS)) {
    if (r.read(key, all, check, undefined) && note) ctx.warn(`${r.prefix(key)}no effect: ${note}`);
  }
  const redirectStderr = r.read("redirect_stderr", all, v.boolean, false);
  const [stdout, stderr] = logTargets(r, all, redirectStderr, ctx.warn);
  const process = r.read("process_name", all, v.processName, program);
  const priority = r.read("priority", all, v.integer, DEFAULTS.priority);
  // As supervisord: killasgroup defaults to stopasgroup, and a group stop with a pid-only kill is refused.
  const stopasgroup = r.read("stopasgroup", all, v.boolean, false);
  const killasgroup = r.read("killasgroup", all, v.boolean, stopasgroup);
  if (stopasgroup && !killasgroup) r.fail("killasgroup", new BadValue("cannot be false when stopasgroup=true (as supervisord)"));
  return defined({
    name: group ? namespec(group.group, process) : process,
    group: group?.group ?? program,
    program,
    groupPriority: group?.priority ?? priority,
    command: r.read("command", all, commandLine, undefined) ?? r.fail("command", new BadValue("expected a command line, got none")),
    priority,
    autostart: r.read("autostart", all, v.boolean, DEFAULTS.autostart),
    autorestart: r.read("autorestart", all, v.autoRestart, DEFAULTS.autorestart),
    startsecs: r.read("startsecs", all, v.nonNegative, DEFAULTS.startsecs),
    startretries: r.read("startretries", all, v.nonNegative, DEFAULTS.startretries),
    exitcodes: r.read("exitcodes", all, v.exitCodes, [...DEFAULTS.exitcodes]),
    stopsignal: r.read("stopsignal", all, v.signal, DEFAULTS.stopsignal),
    stopwaitsecs: r.read("stopwaitsecs", all, v.nonNegative, DEFAULTS.stopwaitsecs),
    stopasgroup: stopasgroup || undefined,
    killasgroup: killasgroup || undefined,
    user: r.read("user", all, (text) => lookupUser(text, ctx.passwd(), ctx.group?.() ?? ""), undefined),
    directory: r.read("directory", all, v.nonEmpty, undefined),
    umask: r.read("umask", all, v.octal, undefined),
    serverUrl: r.read("serverurl", all, (text) => (text.trim().toUpperCase() === "AUTO" ? undefined : v.nonEmpty(text)), undefined),
    environment,
    redirectStderr,
    stdout,
    stderr,
    stdoutEvents: r.read("stdout_events_enabled", all, v.boolean, false) || undefined,
    stderrEvents: r.read("stderr_events_enabled", all, v.boolean, false) || undefined,
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
    if (!isProgramKey(key, role.listener)) ctx.warn(ignoredKey(where(section.file, entry.line), section.name, key));
  }
  const r = sectionReader(section);
  const program = r.check("", () => v.processName(name));
  const base: Names = { ...ctx.envNames, here: dirname(resolve(section.file)), program_name: program, group_name: group?.group ?? program, host_node_name: ctx.hostname };
  const numprocs = r.read("numprocs", base, v.positive, DEFAULTS.numprocs);
  const first = r.read("numprocs_start", base, v.nonNegative, DEFAULTS.numprocsStart);
  const nameText = section.entries.get("process_name")?.value ?? DEFAULTS.processName;
  if (numprocs > 1 && !nameText.includes("%(process_num)")) {
    r.fail(section.entries.has("process_name") ? "process_name" : "numprocs", expected("%(process_num) in process_name when numprocs > 1", nameText));
  }
  return Array.from({ length: numprocs }, (_, i) => processSpec(r, section, program, group, { ...base, process_num: first + i, numprocs }, ctx));
}
