// Reading one section's values: expand %(…)s, parse, and turn a BadValue into a ConfigError
// that names file, line, section and key.
import { BadValue, ConfigError, where } from "./errors.ts";
import { expand, type Names } from "./expand.ts";
import type { IniSection } from "./ini.ts";

/** Typed access to one section's keys, errors located at the key's line. */
export interface SectionReader {
  /** The key's value expanded with `names` and parsed, or `fallback` when the key is absent. */
  read<T>(key: string, names: Names, parse: (text: string) => T, fallback: T): T;
  /** Runs `parse`, turning its BadValue into a ConfigError for `key` ("" for the section itself). */
  check<T>(key: string, parse: () => T): T;
  /** Throws `problem` as a ConfigError at the key's line (the section's line when absent). */
  fail(key: string, problem: BadValue): never;
  /** "file:line: [section] key: " for a warning about a key that is present. */
  prefix(key: string): string;
}

/**
 * Wraps a parsed section for the program builder.
 * @example sectionReader(section).read("startsecs", envNames(os.env), integer, 1) // 1 when absent
 */
export function sectionReader(section: IniSection): SectionReader {
  const { file, entries } = section;
  const prefix = (key: string) => `${where(file, entries.get(key)?.line ?? section.line)}[${section.name}]${key ? ` ${key}` : ""}: `;
  const fail = (key: string, problem: BadValue): never => {
    throw new ConfigError(prefix(key) + problem.message);
  };
  const check = <T>(key: string, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (e instanceof BadValue) fail(key, e);
      throw e;
    }
  };
  return {
    read(key, names, parse, fallback) {
      const entry = entries.get(key);
      return entry ? check(key, () => parse(expand(entry.value, names))) : fallback;
    },
    check,
    fail,
    prefix,
  };
}
