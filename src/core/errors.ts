// Exit codes and the one error type the CLI layer throws.

/** Exit code for bad flags, values or configs. */
export const EXIT_USAGE = 2;
/** Exit code when the command exists but cannot be executed. */
export const EXIT_NOT_EXECUTABLE = 126;
/** Exit code when the command is not found. */
export const EXIT_NOT_FOUND = 127;

/**
 * A user error: reported as one line on stderr, exit 2, nothing started.
 * @example throw new UsageError(`--grace: expected a number of seconds, got "soon"`) // corral: --grace: …, exit 2
 */
export class UsageError extends Error {
  override name = "UsageError";
}
