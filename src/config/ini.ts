// supervisord's INI dialect (Python's configparser.RawConfigParser as supervisord sets it up:
// inline comments after ; or #, strict=False), read by hand: the `ini` npm package reports no
// line numbers, and every config error must name its line.
import { ConfigError, where } from "./errors.ts";

/** One key's value (continuation lines joined with "\n") and the line it starts on. */
export interface IniEntry {
  value: string;
  line: number;
  /** The file it was written in, when not the section's (a [DEFAULT] key, a section given again in another file). */
  file?: string;
  /** Set on a key the section has from [DEFAULT]. */
  inherited?: boolean;
}

/** One `[name]` section as written, keys lower-cased like configparser's optionxform. */
export interface IniSection {
  name: string;
  file: string;
  line: number;
  entries: Map<string, IniEntry>;
}

/** configparser's DEFAULT section: its keys are every other section's fallbacks. */
export const DEFAULT_SECTION = "DEFAULT";

const HEADER = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;
const INLINE_PREFIXES = [";", "#"] as const;

/** Python's str.isspace() for one character (ASCII and the common Unicode spaces). */
const isSpace = (c: string | undefined) => c !== undefined && /[\s\x1c-\x1f\x85]/.test(c);
/** Python's str.strip(). */
const pyStrip = (s: string) => s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/g, "");

/**
 * Where configparser cuts a line: a whole-line comment (`;`/`#` first), or an inline comment
 * prefix at the line's start or after whitespace. As configparser, each round looks at the next
 * occurrence of each prefix, and the first round that finds one after whitespace decides.
 */
function commentStart(line: string): number | undefined {
  const t = pyStrip(line);
  if (t.startsWith("#") || t.startsWith(";")) return 0;
  let found: number | undefined;
  let at = new Map<string, number>(INLINE_PREFIXES.map((p) => [p, -1]));
  while (found === undefined && at.size) {
    const next = new Map<string, number>();
    for (const [prefix, from] of at) {
      const index = line.indexOf(prefix, from + 1);
      if (index < 0) continue;
      next.set(prefix, index);
      if (index === 0 || isSpace(line[index - 1])) found = Math.min(found ?? index, index);
    }
    at = next;
  }
  return found;
}

/**
 * Splits INI text into sections exactly as supervisord's configparser does: `key=value` and
 * `key: value`, comments after `;`/`#` at line start or after whitespace (also inside quotes),
 * continuation lines indented deeper than their key, blank lines kept inside continued values,
 * a header read up to its last `]`. `%` is left alone (expansion comes later). A key given twice
 * in one section keeps its last value (strict=False), and `warn` is told. A line that is neither
 * header, option nor comment is an error, as a key before any header.
 * @example readIni("[program:a]\ncommand=sleep 1 ; nap\n", "a.conf")[0]!.entries.get("command") // { value: "sleep 1", line: 2 }
 */
export function readIni(text: string, file: string, warn: (message: string) => void = () => {}): IniSection[] {
  const sections: IniSection[] = [];
  const parts = new Map<IniEntry, string[]>();
  let section: IniSection | undefined;
  let current: IniEntry | undefined;
  let indent = Number.MAX_SAFE_INTEGER;
  let problem: string | undefined;
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const cut = commentStart(raw);
    const value = pyStrip(raw.slice(0, cut));
    if (!value) {
      if (cut === undefined && current) parts.get(current)!.push("");
      return;
    }
    const lineIndent = raw.search(/\S/);
    if (section && current && lineIndent > indent) {
      parts.get(current)!.push(value);
      return;
    }
    indent = lineIndent;
    current = undefined;
    const header = HEADER.exec(value);
    if (header) {
      section = { name: header[1]!, file, line, entries: new Map() };
      sections.push(section);
      return;
    }
    if (!section) throw new ConfigError(`${where(file, line)}expected a [section] header first, got ${JSON.stringify(value)}`);
    const option = OPTION.exec(value);
    const key = option && pyStrip(option[1]!).toLowerCase();
    if (!key) {
      problem ??= `${where(file, line)}[${section.name}] expected KEY=VALUE or KEY: VALUE, got ${JSON.stringify(value)}`;
      return;
    }
    const first = section.entries.get(key);
    if (first) {
      warn(`${where(file, line)}[${section.name}] ${key}: given again (first at line ${first.line}); the last value wins, as in supervisord`);
      parts.delete(first);
      section.entries.delete(key);
    }
    current = { value: "", line };
    parts.set(current, [pyStrip(option![2]!)]);
    section.entries.set(key, current);
  });
  if (problem) throw new ConfigError(problem);
  for (const [entry, lines] of parts) entry.value = lines.join("\n").replace(/[\s\x1c-\x1f\x85]+$/, "");
  return sections;
}
