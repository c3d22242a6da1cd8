// Parsed sections → one validated Config: the checks that span sections and files.
import { hostname as osHostname } from "node:os";
import { ConfigError, where } from "./errors.ts";
import { envNames, type Env } from "./expand.ts";
import { includePatterns } from "./include.ts";
import { readIni, type IniSection } from "./ini.ts";
import { resolveDependencies } from "./depends.ts";
import { programSpecs } from "./program.ts";
import { sectionKind } from "./sections.ts";
import type { Config, ProgramSpec } from "./types.ts";

/** What the parser may learn from outside: both default to this machine's. */
export interface ParseOptions {
  /** /etc/passwd text for user= (called only when a program has user=). */
  passwd?: () => string;
  /** %(host_node_name)s. */
  hostname?: string;
}

/** Everything read from the config files, in order. */
export interface ConfigSources {
  sections: IniSection[];
  files: string[];
  warnings: string[];
}

/** Programs by priority, then name (supervisord's start order). */
const byPriority = (a: ProgramSpec, b: ProgramSpec) => a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Validates all sections together: unknown sections, duplicate programs and process names,
 * depends_on, at least one program. Supervisord-only sections become warnings.
 * @example buildConfig({ sections: readIni("[program:a]\ncommand=true\n", "a.conf"), files: ["a.conf"], warnings: [] }, os.env)
 */
export function buildConfig(sources: ConfigSources, env: Env, options: ParseOptions = {}): Config {
  const warnings = new Set(sources.warnings);
  const names = envNames(env);
  const hostname = options.hostname ?? osHostname();
  const ctx = { envNames: names, hostname, passwd: options.passwd ?? (() => ""), warn: (m: string) => void warnings.add(m) };
  const programs = new Map<string, IniSection>();
  const specs: ProgramSpec[] = [];
  for (const section of sources.sections) {
    const kind = sectionKind(section.name);
    const at = where(section.file, section.line);
    if (!kind) throw new ConfigError(`${at}[${section.name}]: expected [program:NAME], [include] or a supervisord section, got an unknown section`);
    if (kind.kind === "ignored") warnings.add(`${at}[${section.name}] ignored: ${kind.instead}`);
    if (kind.kind === "include") includePatterns(section, names, hostname);
    if (kind.kind !== "program") continue;
    const first = programs.get(kind.program);
    if (first) throw new ConfigError(`${at}[${section.name}]: expected each program once, got it again (first at ${first.file}:${first.line})`);
    programs.set(kind.program, section);
    specs.push(...programSpecs(section, kind.program, ctx));
  }
  if (specs.length === 0) throw new ConfigError(`${sources.files.join(", ")}: expected at least one [program:NAME] section, got none`);

  const seen = new Map<string, ProgramSpec>();
  for (const s of specs) {
    const other = seen.get(s.name);
    if (other) {
      const section = programs.get(s.group)!;
      const line = section.entries.get("process_name")?.line ?? section.line;
      throw new ConfigError(`${where(section.file, line)}[${section.name}] process_name: expected a unique process name, got ${JSON.stringify(s.name)} (also [program:${other.group}] at ${other.origin})`);
    }
    seen.set(s.name, s);
  }
  return { programs: resolveDependencies(specs, programs).sort(byPriority), warnings: [...warnings], files: sources.files };
}

/**
 * Parses one config text (no file system; [include] is checked but only loadConfig follows it).
 * @example parseConfigText("[program:web]\ncommand=nginx -g 'daemon off;'\n", "/etc/corral.conf", {}).programs[0]!.command
 * // ["nginx", "-g", "daemon off;"]
 */
export function parseConfigText(text: string, file: string, env: Env, options: ParseOptions = {}): Config {
  return buildConfig({ sections: readIni(text, file), files: [file], warnings: [] }, env, options);
}
