// corral's ready= key: checked with the same parser `corral wait-until-healthy` uses, so a
// probe has one spelling; the text is kept and the supervisor runs it.
import { UsageError } from "../core/errors.ts";
import { parseProbeWith } from "../core/probe-spec.ts";
import { splitCommand } from "./shlex.ts";
import { BadValue } from "./errors.ts";

/**
 * Checks a ready= probe's shape (http://…, https://…, tcp:HOST:PORT, exec:COMMAND) and
 * returns its text unchanged.
 * @example readyProbe("tcp:localhost:5432") // "tcp:localhost:5432"
 */
export function readyProbe(text: string): string {
  try {
    parseProbeWith(text, splitCommand);
  } catch (e) {
    throw e instanceof UsageError ? new BadValue(e.message) : e;
  }
  return text;
}
