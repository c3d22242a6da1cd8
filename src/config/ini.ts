// supervisord's INI dialect (Python configparser as supervisord sets it up), read by hand:
// the `ini` npm package reports no line numbers, and every config error must name its line.
import { ConfigError, where } from "./errors.ts";

/** One key's value (continuation lines joined with "\n") and the line it starts on. */
export interface IniEntry {
  value: string;
  line: number;
}

/** One `[name]` section as written, keys lower-cased like configparser's optionxform. */
export interface IniSection {
  name: string;
  file: string;
  line: number;
  entries: Map<string, IniEntry>;
}

const COMMENT_START = /(?:^|(?<=\s))[;#]/;
const HEADER = /^\[(.+)\]$/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;

/** Where an inline comment starts (` ;` or ` #`), or the whole line for `;`/`#` lines. */
function commentStart(line: string): number | undefined {
  const t = line.trim();
  if (t.startsWith(";") || t.startsWith("#")) return 0;
  const m = COMMENT_START.exec(line);
  return m ? m.index : undefined;
}

/**
 * Splits INI text into sections like supervisord's configparser: `key=value` and
 * `key: value`, comments after `;`/`#` at line start or after whitespace, continuation
 * lines indented deeper than their key, blank lines kept inside continued values.
 * `%` is left alone (expansion comes later). A key given twice in one section keeps its last
 * value (configparser with strict=False, as supervisord sets it up), and `warn` is told.
 * @example readIni("[program:a]\ncommand=sleep 1 ; nap\n", "a.conf")[0]!.entries.get("command") // { value: "sleep 1", line: 2 }
 */
export function readIni(text: string, file: string, warn: (message: string) => void = () => {}): IniSection[] {
  const sections: IniSection[] = [];
  const parts = new Map<IniEntry, string[]>();
  let section: IniSection | undefined;
  let current: IniEntry | undefined;
  let indent = 0;
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const cut = commentStart(raw);
    const value = raw.slice(0, cut).trim();
    if (!value) {
      if (cut === undefined && current) parts.get(current)!.push("");
      return;
    }
    const lineIndent = raw.search(/\S/);
    if (current && lineIndent > indent) {
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
    if (value.startsWith("[")) throw new ConfigError(`${where(file, line)}expected a [section] header, got ${JSON.stringify(value)}`);
    if (!section) throw new ConfigError(`${where(file, line)}expected a [section] header first, got ${JSON.stringify(value)}`);
    const option = OPTION.exec(value);
    const key = option?.[1]!.toLowerCase();
    if (!key) throw new ConfigError(`${where(file, line)}[${section.name}] expected KEY=VALUE or KEY: VALUE, got ${JSON.stringify(value)}`);
    const first = section.entries.get(key);
    if (first) {
      warn(`${where(file, line)}[${section.name}] ${key}: given again (first at line ${first.line}); the last value wins, as in supervisord`);
      parts.delete(first);
      section.entries.delete(key);
    }
    current = { value: "", line };
    parts.set(current, [option![2]!]);
    section.entries.set(key, current);
  });
  for (const [entry, lines] of parts) entry.value = lines.join("\n").trimEnd();
  return sections;
}
