// --config FILE|DIR → the files to read (dir: every *.conf, sorted; [include] followed) → Config.
import { join, resolve } from "node:path";
import { ConfigError, where } from "./errors.ts";
import { envNames, type Env } from "./expand.ts";
import { globFiles } from "./glob.ts";
import { includePatterns } from "./include.ts";
import { DEFAULT_SECTION, readIni, type IniSection } from "./ini.ts";
import { buildConfig, mergeSections, type ParseOptions } from "./parse.ts";
import type { Config } from "./types.ts";
import { systemFiles } from "../os/files.ts";

/** Where user= names are looked up. */
const PASSWD = "/etc/passwd";
/** Where user='s supplementary groups are looked up. */
const GROUP = "/etc/group";

/** The reason an fs call failed, for "got …" (ENOENT, EACCES, …). */
const reason = (e: unknown) => (e as { code?: string }).code ?? String(e);

/** A --config value: a file as is, a directory as its *.conf files (no dotfiles), sorted. */
function configFiles(path: string): string[] {
  let isDir: boolean;
  try {
    isDir = systemFiles.kind(path) === "directory";
  } catch (e) {
    throw new ConfigError(`${where(path)}expected a config file or directory, got ${reason(e)}`);
  }
  if (!isDir) return [path];
  const files = systemFiles.list(path).filter((n) => n.endsWith(".conf") && !n.startsWith(".")).sort();
  if (files.length === 0) throw new ConfigError(`${where(path)}expected *.conf files in this directory, got none`);
  return files.map((n) => join(path, n));
}

/** A system file's text (/etc/passwd, /etc/group), empty when there is none (scratch images). */
function readSystemFile(path: string): string {
  try {
    return systemFiles.readText(path);
  } catch {
    return "";
  }
}

/**
 * Reads every --config path (directories: all *.conf), follows [include] files= globs
 * relative to the including file (a file reached twice is read once), and validates the lot.
 * Throws ConfigError (exit 2) naming file:line; nothing is started here.
 * @example loadConfig(["/etc/corral.conf"], process.env).programs.map((p) => p.name)
 */
export function loadConfig(paths: string[], env: Env, options: ParseOptions = {}): Config {
  const hostname = options.hostname ?? systemFiles.hostname();
  const names = envNames(env);
  const sections: IniSection[] = [];
  const files: string[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const read = (file: string): IniSection[] => {
    const absolute = resolve(file);
    if (seen.has(absolute)) return [];
    seen.add(absolute);
    let text: string;
    try {
      text = systemFiles.readText(file);
    } catch (e) {
      throw new ConfigError(`${where(file)}expected a readable config file, got ${reason(e)}`);
    }
    files.push(file);
    const own = readIni(text, file, (m) => warnings.push(m));
    sections.push(...own);
    return own;
  };
  // As supervisord: only a main file's [include] is followed (its [include] sections merged, the
  // last files= winning, [DEFAULT]'s as fallback); an included file's own [include] is not.
  for (const main of paths.flatMap(configFiles)) {
    const own = read(main);
    const include = mergeSections(own.filter((s) => s.name === "include" || s.name === DEFAULT_SECTION), () => {}).find((s) => s.name === "include");
    if (!include) continue;
    for (const { pattern, line } of includePatterns(include, names, hostname, (m) => warnings.push(m))) {
      const matches = globFiles(pattern);
      // supervisord: 'No file matches via include "…"', a warning, and goes on.
      if (matches.length === 0) warnings.push(`${where(main, line)}[include] files: no file matches ${JSON.stringify(pattern)}`);
      for (const file of matches) {
        for (const nested of read(file).filter((s) => s.name === "include")) {
          warnings.push(`${where(file, nested.line)}[include] not followed: supervisord reads only the main file's [include]`);
        }
      }
    }
  }
  return buildConfig({ sections, files, warnings }, env, {
    hostname, ...(options.uid === undefined ? {} : { uid: options.uid }), passwd: options.passwd ?? (() => readSystemFile(PASSWD)), group: options.group ?? (() => readSystemFile(GROUP)),
  });
}
