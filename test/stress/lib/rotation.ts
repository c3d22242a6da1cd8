// A rotated log's check, shared by the short test (test/integration/logs-pump.test.ts) and the
// rotation stress case: every file within maxbytes, every file ending with a whole line, each
// rotated file full, and the kept lines exactly the last ones written.
import { readFileSync, readdirSync } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * awk printing `count` lines "i:" padded with dots to i % 41 + 4 bytes (newline included), each
 * in two writes, so that the pump's reads end inside lines.
 */
export const variedLines = (count: number) =>
  `awk 'BEGIN { for (i = 0; i < ${count}; i++) { s = i ":"; n = i - int(i / 41) * 41 + 3; ` +
  `while (length(s) < n) s = s "."; printf substr(s, 1, 2); fflush(); print substr(s, 3) } }'`;

/** Line i of variedLines, without its newline. */
export const variedLine = (i: number) => `${i}:`.padEnd(i % 41 + 3, ".");

/** The rotated names beside `file` (FILE.1 …), as numbers, sorted. */
export function backupsOf(file: string): number[] {
  const base = basename(file);
  return readdirSync(dirname(file)).filter((f) => f.startsWith(`${base}.`)).map((f) => Number(f.slice(base.length + 1))).sort((a, b) => a - b);
}

/**
 * What is wrong with the rotated log `file` of variedLines(count) at `maxBytes`, or undefined.
 * @example checkRotated("/tmp/x/out.log", 1024 * 1024, 200_000) // undefined
 */
export function checkRotated(file: string, maxBytes: number, count: number): string | undefined {
  const files = [...backupsOf(file).reverse().map((n) => `${file}.${n}`), file];
  const texts = files.map((f) => readFileSync(f, "latin1"));
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!, next = texts[i + 1];
    if (text.length > maxBytes) return `${files[i]}: ${text.length} bytes, over ${maxBytes}`;
    if (text.length && !text.endsWith("\n")) return `${files[i]} ends inside a line`;
    if (next !== undefined && text.length + next.indexOf("\n") + 1 <= maxBytes) return `${files[i]} rotated early at ${text.length} bytes`;
  }
  const lines = texts.join("").split("\n");
  lines.pop();
  const first = count - lines.length;
  for (let i = 0; i < lines.length; i++) if (lines[i] !== variedLine(first + i)) return `line ${first + i} is "${lines[i]}"`;
  return undefined;
}
