// Parsed sections → one validated Config: the checks that span sections and files.
import { ConfigError, where } from "./errors.ts";
import { systemFiles } from "../os/files.ts";
import { envNames, type Env } from "./expand.ts";
import { groupSection, type GroupSection } from "./group.ts";
import { httpServerConfig } from "./http-server.ts";
import { DEFAULT_SECTION, readIni, type IniSection } from "./ini.ts";
import { dirname, resolve } from "node:path";
import { expected } from "./errors.ts";
import { fcgiSpecs } from "./fcgi.ts";
import { includePatterns } from "./include.ts";
import { sectionReader } from "./section-reader.ts";
import type { Names } from "./expand.ts";
import * as v from "./values.ts";
import { resolveDependencies } from "./depends.ts";
import { listenerSpec } from "./listener.ts";
import { programSpecs, type Membership, type ProgramContext } from "./program.ts";
import { sectionKind, UNKNOWN_SECTION } from "./sections.ts";
import { serverSettings, type ServerSettings } from "./server.ts";
import type { Config, GroupSpec, ListenerSpec, ProgramSpec } from "./types.ts";

/** What the parser may learn from outside: both default to this machine's. */
export interface ParseOptions {
  /** /etc/passwd text for user= (called only when a program has user=). */
  passwd?: () => string;
  /** /etc/group text for user='s supplementary groups (called only when a program has user=). */
  group?: () => string;
  /** %(host_node_name)s. */
  hostname?: string;
  /** corral's uid (default 0): an fcgi unix socket is chowned to a program's user= when it differs. */
  uid?: number;
}

/** Everything read from the config files, in order. */
export interface ConfigSources {
  sections: IniSection[];
  files: string[];
  warnings: string[];
}

/** Start order: group priority, then priority, then name (supervisord starts groups by priority). */
const byPriority = (a: ProgramSpec, b: ProgramSpec) => (a.groupPriority ?? a.priority) - (b.groupPriority ?? b.priority) ||
  a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The factory spec of supervisord's own interface, the one corral serves. */
const MAIN_RPC_FACTORY = "supervisor.rpcinterface:make_main_rpcinterface";
const RPC_FACTORY_KEY = "supervisor.rpcinterface_factory";

/**
 * Sections of the same name as one, like configparser with strict=False (supervisord's):
 * the first keeps its place, later keys win. Each repeat is warned about. [DEFAULT]'s keys
 * then become every other section's fallbacks, as configparser's defaults.
 * @example mergeSections(readIni("[DEFAULT]\nautostart=false\n[program:a]\ncommand=x\n", "a.conf"), warn)[0]!.entries.get("autostart")!.inherited // true
 */
export function mergeSections(sections: IniSection[], warn: (m: string) => void): IniSection[] {
  const byName = new Map<string, IniSection>();
  for (const s of sections) {
    const first = byName.get(s.name);
    if (!first) {
      byName.set(s.name, { ...s, entries: new Map(s.entries) });
      continue;
    }
    warn(`${where(s.file, s.line)}[${s.name}]: given again (first at ${first.file}:${first.line}); its keys are merged, later ones win, as in supervisord`);
    for (const [key, entry] of s.entries) {
      first.entries.delete(key);
      first.entries.set(key, s.file === first.file ? entry : { ...entry, file: s.file });
    }
  }
  const defaults = byName.get(DEFAULT_SECTION);
  byName.delete(DEFAULT_SECTION);
  if (defaults) {
    for (const s of byName.values()) {
      for (const [key, entry] of defaults.entries) {
        if (!s.entries.has(key)) s.entries.set(key, { ...entry, file: entry.file ?? defaults.file, inherited: true });
      }
    }
  }
  return [...byName.values()];
}

/** Each [group:x]'s members checked against the [program:x] and [fcgi-program:x] sections: section name → its groups. */
function membership(groups: GroupSection[], programs: ReadonlyMap<string, IniSection>, fcgis: ReadonlyMap<string, IniSection>): Map<string, GroupSection[]> {
  const of = new Map<string, GroupSection[]>();
  for (const g of groups) {
    const at = `${where(g.section.file, g.section.entries.get("programs")?.line ?? g.section.line)}[${g.section.name}] programs: `;
    for (const p of g.programs) {
      const section = programs.get(p) ?? fcgis.get(p);
      if (!section) throw new ConfigError(`${at}expected names of [program:NAME] sections, got ${JSON.stringify(p)}`);
      if (programs.has(p) && fcgis.has(p)) throw new ConfigError(`${at}expected one section named ${JSON.stringify(p)}, got [program:${p}] and [fcgi-program:${p}]`);
      of.set(section.name, [...(of.get(section.name) ?? []), g]);
    }
  }
  return of;
}

/** An [include]'s unknown keys, warned about (a bad files= is the loader's error, and only for a main file's). */
function includeWarnings(section: IniSection, names: Names, hostname: string, warn: (m: string) => void): void {
  try {
    includePatterns(section, names, hostname, warn);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
}

/**
 * [rpcinterface:x] as supervisord's get_plugins reads it: the factory key is required and every
 * key expands; corral serves supervisord's own interface and warns about any other factory.
 */
function checkRpcInterface(section: IniSection, names: Names, warn: (m: string) => void): void {
  const r = sectionReader(section);
  for (const key of section.entries.keys()) r.read(key, names, (t) => t, undefined);
  const factory = r.read(RPC_FACTORY_KEY, names, (t) => v.entryPoint(t, [MAIN_RPC_FACTORY], () =>
    warn(`${r.prefix(RPC_FACTORY_KEY)}not loaded: corral serves supervisord's own interface (supervisor.*, system.*) only`)), undefined);
  if (factory === undefined) r.fail(RPC_FACTORY_KEY, expected(`${RPC_FACTORY_KEY}= (${MAIN_RPC_FACTORY})`, ""));
}

/**
 * Validates all sections together: [supervisord] (its environment= reaches every program),
 * [group:x] members, [eventlistener:x] pools, [fcgi-program:x], depends_on, [DEFAULT] fallbacks.
 * Supervisord-only sections, unknown sections and unknown keys become warnings; no programs at
 * all is fine (a base image's config). Process names are supervisord's namespecs (GROUP:PROCESS,
 * or PROCESS when the two are the same).
 * @example buildConfig({ sections: readIni("[program:a]\ncommand=true\n", "a.conf"), files: ["a.conf"], warnings: [] }, env)
 */
export function buildConfig(sources: ConfigSources, env: Env, options: ParseOptions = {}): Config {
  const warnings = new Set(sources.warnings);
  const warn = (m: string) => void warnings.add(m);
  const hostname = options.hostname ?? systemFiles.hostname();
  const passwd = options.passwd ?? (() => "");
  const group = options.group ?? (() => "");
  const home = env["HOME"];
  const sections = mergeSections(sources.sections, warn);

  const serverSection = sections.find((s) => s.name === "supervisord");
  const server: ServerSettings = serverSection ? serverSettings(serverSection, envNames(env), warn, { hostname, home, passwd }) : { environment: {} };
  // supervisord adds [supervisord] environment= to the ENV_ names before it reads any program.
  const names = { ...envNames(env), ...envNames(server.environment) };
  const ctx: ProgramContext = { envNames: names, hostname, passwd, group, environment: server.environment, warn, ...(home === undefined ? {} : { home }),
    ...(options.uid === undefined ? {} : { uid: options.uid }) };

  const programSections = new Map<string, IniSection>();
  const fcgiSections = new Map<string, IniSection>();
  const groupSections: GroupSection[] = [];
  const listenerSections: [IniSection, string][] = [];
  for (const section of sections) {
    const kind = sectionKind(section.name);
    const at = where(section.file, section.line);
    if (!kind) warn(`${at}[${section.name}]: ${UNKNOWN_SECTION}`);
    else if (kind.kind === "ignored") warn(`${at}[${section.name}] ignored: ${kind.instead}`);
    // The loader follows the main file's [include]; here only its keys are checked, for the warnings.
    else if (kind.kind === "include") includeWarnings(section, names, hostname, warn);
    else if (kind.kind === "program") programSections.set(kind.program, section);
    else if (kind.kind === "fcgi") fcgiSections.set(kind.program, section);
    else if (kind.kind === "group") groupSections.push(groupSection(section, kind.group, names, warn));
    else if (kind.kind === "listener") listenerSections.push([section, kind.pool]);
    else if (kind.kind === "rpcinterface") checkRpcInterface(section, names, warn);
  }
  const groupsOf = membership(groupSections, programSections, fcgiSections);

  const specs: ProgramSpec[] = [];
  for (const [program, section] of programSections) {
    const gs = groupsOf.get(section.name);
    if (!gs) specs.push(...programSpecs(section, program, ctx));
    else for (const g of gs) specs.push(...programSpecs(section, program, ctx, { group: g.name, priority: g.priority }));
  }
  const listeners: ListenerSpec[] = listenerSections.map(([section, pool]) => listenerSpec(section, pool, ctx));
  for (const [program, section] of fcgiSections) {
    const gs = groupsOf.get(section.name);
    // In a [group:x], supervisord runs an fcgi-program as a plain program: no socket.
    if (gs) for (const g of gs) specs.push(...programSpecs(section, program, ctx, { group: g.name, priority: g.priority }, { fcgi: true }));
    else specs.push(...fcgiSpecs(section, program, ctx, { ...names, here: dirname(resolve(section.file)) }));
  }
  const all = [...specs, ...listeners.flatMap((l) => l.processes)];

  const seen = new Map<string, ProgramSpec>();
  const sectionOf = (s: ProgramSpec) => programSections.get(s.program!) ?? fcgiSections.get(s.program!) ?? listenerSections.find(([, pool]) => pool === s.program)![0];
  for (const s of all) {
    const other = seen.get(s.name);
    if (other) {
      const section = sectionOf(s);
      const line = section.entries.get("process_name")?.line ?? section.line;
      throw new ConfigError(`${where(section.file, line)}[${section.name}] process_name: expected a unique process name, got ${JSON.stringify(s.name)} (also [${sectionOf(other).name}] at ${other.origin})`);
    }
    seen.set(s.name, s);
  }
  const dependable = new Map([...programSections, ...fcgiSections, ...listenerSections.map(([s, pool]) => [pool, s] as const)]);
  const groupPrograms = new Map(groupSections.map((g) => [g.name, g.programs]));
  const resolved = resolveDependencies(all, dependable, groupPrograms);
  const byName = new Map(resolved.map((s) => [s.name, s]));
  const groups: GroupSpec[] = groupSections.map((g) => ({
    name: g.name, priority: g.priority, programs: g.programs,
    processes: resolved.filter((s) => s.group === g.name && g.programs.includes(s.program!)).sort(byPriority).map((s) => s.name),
    origin: `${g.section.file}:${g.section.line}`,
  }));
  const listenerNames = new Set(listeners.flatMap((l) => l.processes.map((p) => p.name)));
  return {
    programs: resolved.filter((s) => !listenerNames.has(s.name)).sort(byPriority),
    groups,
    listeners: listeners.map((l) => ({ ...l, processes: l.processes.map((p) => byName.get(p.name)!) })),
    ...(server.pidfile === undefined ? {} : { pidfile: server.pidfile }),
    ...(server.tailBytes === undefined ? {} : { tailBytes: server.tailBytes }),
    environment: server.environment,
    http: httpServerConfig(sections, passwd, env, { group, names, warn }),
    warnings: [...warnings],
    files: sources.files,
  };
}

/**
 * Parses one config text (no file system; [include] is checked but only loadConfig follows it).
 * @example parseConfigText("[program:web]\ncommand=nginx -g 'daemon off;'\n", "/etc/corral.conf", {}).programs[0]!.command
 * // ["nginx", "-g", "daemon off;"]
 */
export function parseConfigText(text: string, file: string, env: Env, options: ParseOptions = {}): Config {
  const warnings: string[] = [];
  return buildConfig({ sections: readIni(text, file, (m) => warnings.push(m)), files: [file], warnings }, env, options);
}
