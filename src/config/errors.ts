// The config layer's one error type, and the helper that words values as "expected …, got …".
import { UsageError } from "../cli/errors.ts";

/** A config that cannot be used: one line naming file, line, section and key; the CLI exits 2. */
export class ConfigError extends UsageError {
  override name = "ConfigError";
}

/**
 * A value that does not parse, before it is known where it came from; the section
 * builder turns it into a ConfigError with file, line, section and key.
 * @example throw new BadValue("a non-negative integer", "soon")
 */
export class BadValue extends Error {
  constructor(expected: string, got: string, raw = false) {
    super(`expected ${expected}, got ${raw ? got : JSON.stringify(got)}`);
  }
}

/**
 * "file:line: " (or "file: ") for the front of a message.
 * @example where("/etc/corral.conf", 12) // "/etc/corral.conf:12: "
 */
export function where(file: string, line?: number): string {
  return line === undefined ? `${file}: ` : `${file}:${line}: `;
}
