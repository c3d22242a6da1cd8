// environment= as supervisord reads it: KEY=val,KEY2="val, with commas",KEY3='x'.
import { expected } from "./errors.ts";

const KEY = /^[^\s=,"']+$/;

/**
 * Parses comma-separated KEY=VALUE pairs; values may be "…" or '…' quoted to hold commas,
 * whitespace around pairs (and continuation newlines) is ignored, a trailing comma is fine.
 * @example parseEnvironment(`A=1, B="x,y"`) // { A: "1", B: "x,y" }
 */
export function parseEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  const bad = () => expected("KEY=VALUE pairs separated by commas (quote values that hold commas)", text);
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (skipSpace(); i < text.length; skipSpace()) {
    const eq = text.indexOf("=", i);
    const key = eq < 0 ? "" : text.slice(i, eq).trim();
    if (!KEY.test(key)) throw bad();
    i = eq + 1;
    skipSpace();
    const quote = text[i];
    let value: string;
    if (quote === '"' || quote === "'") {
      const close = text.indexOf(quote, i + 1);
      if (close < 0) throw bad();
      value = text.slice(i + 1, close);
      i = close + 1;
      skipSpace();
    } else {
      const comma = text.indexOf(",", i);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(i, end).trim();
      i = end;
    }
    if (i < text.length && text[i] !== ",") throw bad();
    i++;
    env[key] = value;
  }
  return env;
}
