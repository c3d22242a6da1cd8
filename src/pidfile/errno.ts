// errno values in messages, by name ("EACCES") rather than number.
import { getSystemErrorName } from "node:util";

/**
 * The symbolic name of a positive errno.
 * @example errnoName(13) // "EACCES"
 */
export function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}
