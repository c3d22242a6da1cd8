// Splits an exec: probe into argv like a shell does for simple quoting, and nothing more:
// no variables, globs, pipes or redirections (write `exec:sh -c '...'` for those).
import { UsageError } from "../cli/errors.ts";

/**
 * Splits on unquoted whitespace; '...' is literal, "..." honours \" \\ \$ \`, and a
 * backslash outside quotes escapes the next character. Throws a UsageError on an open quote.
 * @example splitWords(`sh -c 'echo "hi there"'`) // ["sh", "-c", 'echo "hi there"']
 */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && /["\\$`]/.test(text[i + 1] ?? "")) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new UsageError(`unterminated ${quote} quote in "${text}"`);
  if (inWord) words.push(word);
  return words;
}
