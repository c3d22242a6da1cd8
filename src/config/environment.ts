// environment= as supervisord reads it (datatypes.dict_of_key_value_pairs): Python's shlex in
// its non-POSIX mode splits the text into tokens (words of letters, digits and _/.+-():,
// quoted strings with their quotes, any other character alone; `#` comments to the end of the
// line), then every 4 tokens must read KEY = VALUE followed by any one separator (a comma,
// usually). Quotes around a value are dropped. So `A=1,B=2`, `A="x, y"` and `A=1;B=2` are
// pairs, `A=$HOME` and `A=` are errors, and `A=x y` keeps A=x and drops y, as supervisord does.
import { expected } from "./errors.ts";

const WORD = /[A-Za-z0-9_/.+\-():]/;
const WHITESPACE = " \t\r\n";
const QUOTES = "'\"";

/** Python shlex.shlex(text) tokens (posix=False, wordchars += '/.+-():'). */
function tokens(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const skipLine = () => {
    const nl = text.indexOf("\n", i);
    i = nl < 0 ? text.length : nl + 1;
  };
  while (i < text.length) {
    const c = text[i++]!;
    if (WHITESPACE.includes(c)) continue;
    if (c === "#") { skipLine(); continue; }
    if (QUOTES.includes(c)) {
      const close = text.indexOf(c, i);
      if (close < 0) throw expected("KEY=VALUE pairs with every quote closed", text);
      out.push(text.slice(i - 1, close + 1));
      i = close + 1;
      continue;
    }
    if (!WORD.test(c)) { out.push(c); continue; }
    // A word: word characters and quotes; a `#` skips to the next line and the word goes on there.
    let word = c;
    while (i < text.length) {
      const d = text[i]!;
      if (d === "#") { skipLine(); continue; }
      if (!WORD.test(d) && !QUOTES.includes(d)) break;
      word += d;
      i++;
    }
    out.push(word);
  }
  return out;
}

/**
 * Parses environment= into KEY → VALUE exactly as supervisord does.
 * @example parseEnvironment(`A=1, B="x,y"`) // { A: "1", B: "x,y" }
 */
export function parseEnvironment(text: string): Record<string, string> {
  const t = tokens(text);
  const env: Record<string, string> = {};
  for (let i = 0; i < t.length; i += 4) {
    if (i + 3 > t.length || t[i + 1] !== "=") throw expected("KEY=VALUE pairs separated by commas (quote values that hold commas or spaces)", text);
    env[t[i]!] = t[i + 2]!.replace(/^['"]+|['"]+$/g, "");
  }
  return env;
}
