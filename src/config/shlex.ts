// Command lines split like Python's shlex.split, which supervisord applies to command=.
// Hand-written (about 30 lines) rather than a package: shell-quote (5.8 KB minified) expands
// $VARS and turns `|`, `>` and `#…` into operator objects, string-argv (0.3 KB) keeps
// backslashes; supervisord passes `$HOME`, `a|b` and `#x` through as plain words.
import { expected } from "./errors.ts";

const WHITESPACE = new Set([" ", "\t", "\r", "\n"]);

/**
 * Splits a command line into argv: whitespace separates words, '…' is literal, "…" allows
 * \" and \\, a backslash outside quotes escapes any character. No $ expansion, no globs.
 * @example splitCommand(`sh -c "echo \\"hi\\"" a\\ b`) // ["sh", "-c", 'echo "hi"', "a b"]
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (c === "\\") {
      const next = text[++i];
      if (next === undefined) throw expected("a character after the last \\", text);
      word += quote === '"' && next !== '"' && next !== "\\" ? c + next : next;
      inWord = true;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else word += c;
    } else if (WHITESPACE.has(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      if (c === "'" || c === '"') quote = c;
      else word += c;
      inWord = true;
    }
  }
  if (quote) throw expected(`a closing ${quote}`, text);
  if (inWord) words.push(word);
  return words;
}
