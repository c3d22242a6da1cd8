// [group:x] sections read as supervisord reads them: programs= (comma-separated) and priority=.
import { dirname, resolve } from "node:path";
import { where } from "./errors.ts";
import type { Names } from "./expand.ts";
import type { IniSection } from "./ini.ts";
import { DEFAULTS, GROUP_KEYS, ignoredKey } from "./keys.ts";
import { sectionReader } from "./section-reader.ts";
import * as v from "./values.ts";

/** A [group:x] as written: its name, priority and the programs it lists. */
export interface GroupSection {
  name: string;
  priority: number;
  programs: string[];
  section: IniSection;
}

/**
 * Reads one [group:x]; keys other than programs= and priority= are warned about and ignored.
 * @example groupSection(readIni("[group:ds]\nprograms=a,b\npriority=5", "x.conf")[0]!, "ds", names, warn) // { name: "ds", priority: 5, programs: ["a", "b"], … }
 */
export function groupSection(section: IniSection, name: string, names: Names, warn: (m: string) => void): GroupSection {
  for (const [key, entry] of section.entries) {
    if (!entry.inherited && !GROUP_KEYS.includes(key)) warn(ignoredKey(where(entry.file ?? section.file, entry.line), section.name, key));
  }
  const r = sectionReader(section);
  const all = { ...names, here: dirname(resolve(section.file)) };
  return {
    name: r.check("", () => v.processName(name)),
    priority: r.read("priority", all, v.integer, DEFAULTS.priority),
    // supervisord's list_of_strings: a member it cannot find ("", a typo) refuses the config later.
    programs: r.read("programs", all, v.stringList, []),
    section,
  };
}
