// [include] files= read into absolute patterns, relative to the including file like supervisord.
import { dirname, resolve } from "node:path";
import { BadValue, ConfigError, where } from "./errors.ts";
import { expand, type Names } from "./expand.ts";
import { checkGlob } from "./glob.ts";
import type { IniSection } from "./ini.ts";
import { ignoredKey } from "./keys.ts";

/** A pattern to match and the line it was written on. */
export interface IncludePattern {
  pattern: string;
  line: number;
}

/**
 * Checks an [include] section (`files`: space-separated globs, %(here)s and %(ENV_X)s
 * expanded; other keys are warned about and ignored, as supervisord ignores them) and
 * returns absolute patterns; following them is the loader's job.
 * @example includePatterns(section, {}, "host") // [{ pattern: "/etc/corral.d/*.conf", line: 2 }]
 */
export function includePatterns(section: IniSection, envNames: Names, hostname: string, warn: (m: string) => void = () => {}): IncludePattern[] {
  const { file } = section;
  for (const [key, entry] of section.entries) {
    if (key !== "files" && !entry.inherited) warn(ignoredKey(where(entry.file ?? file, entry.line), "include", key));
  }
  const entry = section.entries.get("files");
  if (!entry) throw new ConfigError(`${where(file, section.line)}[include] files: expected glob patterns separated by spaces, got none`);
  const here = dirname(resolve(file));
  try {
    // Empty is fine: no patterns, as supervisord.
    const patterns = expand(entry.value, { ...envNames, here, host_node_name: hostname }).split(/\s+/).filter(Boolean);
    return patterns.map((p) => {
      const pattern = resolve(here, p);
      checkGlob(pattern);
      return { pattern, line: entry.line };
    });
  } catch (e) {
    if (e instanceof BadValue) throw new ConfigError(`${where(file, entry.line)}[include] files: ${e.message}`);
    throw e;
  }
}
