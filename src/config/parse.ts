// Parsed sections → one validated Config: the checks that span sections and files.
import { ConfigError, where } from "./errors.ts";
import { systemFiles } from "../os/files.ts";
import { envNames, type Env } from "./expand.ts";
import { groupSection, type GroupSection } from "./group.ts";
import { httpServerConfig } from "./http-server.ts";
import { includePatterns } from "./include.ts";
import { readIni, type IniSection } from "./ini.ts";
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

/**
 * Sections of the same name as one, like configparser with strict=False (supervisord's):
 * the first keeps its place, later keys win. Each repeat is warned about.
 */
function mergeSections(sections: IniSection[], warn: (m: string) => void): IniSection[] {
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
      first.entries.set(key, entry);
    }
  }
  return [...byName.values()];
}

/** Each [group:x]'s members checked against the [program:x] sections: programName → group. */
function membership(groups: GroupSection[], programs: ReadonlyMap<string, IniSection>): Map<string, GroupSection> {
  const of = new Map<string, GroupSection>();
  for (const g of groups) {
    const at = `${where(g.section.file, g.section.entries.get("programs")?.line ?? g.section.line)}[${g.section.name}] programs: `;
    for (const p of g.programs) {
      if (!programs.has(p)) throw new ConfigError(`${at}expected names of [program:NAME] sections, got ${JSON.stringify(p)}`);
      const other = of.get(p);
      if (other && other !== g) throw new ConfigError(`${at}expected each program in one group, got ${JSON.stringify(p)} (also in [${other.section.name}] at ${other.section.file}:${other.section.line})`);
      of.set(p, g);
    }
  }
  return of;
}

/**
 * Validates all sections together: [supervisord] (its environment= reaches every program),
 * [group:x] members, [eventlistener:x] pools, unique process names, depends_on.
 * Supervisord-only sections, unknown sections and unknown keys become warnings; no
 * programs at all is fine (a base image's config).
 * @example buildConfig({ sections: readIni("[program:a]\ncommand=true\n", "a.conf"), files: ["a.conf"], warnings: [] }, env)
 */
export function buildConfig(sources: ConfigSources, env: Env, options: ParseOptions = {}): Config {
  const warnings = new Set(sources.warnings);
  const warn = (m: string) => void warnings.add(m);
  const hostname = options.hostname ?? systemFiles.hostname();
  const sections = mergeSections(sources.sections, warn);

  const serverSection = sections.find((s) => s.name === "supervisord");
  const server: ServerSettings = serverSection ? serverSettings(serverSection, envNames(env), warn) : { environment: {} };
  // supervisord adds [supervisord] environment= to the ENV_ names before it reads any program.
  const names = { ...envNames(env), ...envNames(server.environment) };
  const ctx: ProgramContext = {
    envNames: names, hostname, passwd: options.passwd ?? (() => ""), group: options.group ?? (() => ""),
    environment: server.environment, warn,
  };

  const programSections = new Map<string, IniSection>();
  const groupSections: GroupSection[] = [];
  const listenerSections: [IniSection, string][] = [];
  for (const section of sections) {
    const kind = sectionKind(section.name);
    const at = where(section.file, section.line);
    if (!kind) warn(`${at}[${section.name}]: ${UNKNOWN_SECTION}`);
    else if (kind.kind === "ignored") warn(`${at}[${section.name}] ignored: ${kind.instead}`);
    else if (kind.kind === "include") includePatterns(section, names, hostname, warn);
    else if (kind.kind === "program") programSections.set(kind.program, section);
    else if (kind.kind === "group") groupSections.push(groupSection(section, kind.group, names, warn));
    else if (kind.kind === "listener") listenerSections.push([section, kind.pool]);
  }
  const groupOf = membership(groupSections, programSections);

  const specs: ProgramSpec[] = [];
  for (const [program, section] of programSections) {
    const g = groupOf.get(program);
    const member: Membership | undefined = g && { group: g.name, priority: g.priority };
    specs.push(...programSpecs(section, program, ctx, member));
  }
  const listeners: ListenerSpec[] = listenerSections.map(([section, pool]) => listenerSpec(section, pool, ctx));
  const all = [...specs, ...listeners.flatMap((l) => l.processes)];

  const seen = new Map<string, ProgramSpec>();
  const sectionOf = (s: ProgramSpec) => programSections.get(s.program!) ?? listenerSections.find(([, pool]) => pool === s.program)![0];
  for (const s of all) {
    const other = seen.get(s.name);
    if (other) {
      const section = sectionOf(s);
      const line = section.entries.get("process_name")?.line ?? section.line;
      throw new ConfigError(`${where(section.file, line)}[${section.name}] process_name: expected a unique process name, got ${JSON.stringify(s.name)} (also [${sectionOf(other).name}] at ${other.origin})`);
    }
    seen.set(s.name, s);
  }
  const dependable = new Map([...programSections, ...listenerSections.map(([s, pool]) => [pool, s] as const)]);
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
    http: httpServerConfig(sections, options.passwd ?? (() => ""), env),
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
