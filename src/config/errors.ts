// The config layer's one error type, and the helper that words values as "expected …, got …".
import { UsageError } from "../core/errors.ts";

/**
 * A config that cannot be used: one line naming file, line, section and key; the CLI exits 2.
 * @example throw new ConfigError(`${where("/etc/corral.conf", 3)}[program:web] startsecs: expected a non-negative integer, got "soon"`)
 */
export class ConfigError extends UsageError {
  override name = "ConfigError";
}

/**
 * A value that does not parse, before it is known where it came from; the section builder adds file, line, section and key.
 * @example byteSize("lots") // throws BadValue: expected a size like 50MB, 512KB or 0 (unlimited), got "lots"
 */
export class BadValue extends Error {
  override name = "BadValue";
}

/**
 * The BadValue for `got` where `what` was expected, worded the one way every message is.
 * @example throw expected("a non-negative integer", "soon") // expected a non-negative integer, got "soon"
 */
export function expected(what: string, got: string): BadValue {
  return new BadValue(`expected ${what}, got ${JSON.stringify(got)}`);
}

/**
 * "file:line: " (or "file: ") for the front of a message.
 * @example where("/etc/corral.conf", 12) // "/etc/corral.conf:12: "
 */
export function where(file: string, line?: number): string {
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}
