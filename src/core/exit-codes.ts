// corral's exit-code rules, in one place: a status as a code, a failed exec as 126/127.
import { EACCES, EAGAIN, ENOENT } from "../os/types.ts";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from "./errors.ts";

/**
 * The exit code a status stands for: the code, or 128+N for signal N.
 * @example codeOf({ code: -1, signal: 15 }) // 143
 */
export function codeOf(exit: { code: number; signal: number }): number {
  return exit.code >= 0 ? exit.code : 128 + exit.signal;
}

/**
 * The exit code for a child's status: its code, or 128+N for signal N, remapped to 0 when asked.
 * @example exitCodeFor(-1, 15, new Set([143])) // 0
 */
export function exitCodeFor(code: number, signal: number, remap: ReadonlySet<number>): number {
  const raw = codeOf({ code, signal });
  return remap.has(raw) ? 0 : raw;
}

/**
 * The exit code of a command that could not be executed (errno from exec): 127 when it is
 * not found, 126 otherwise (as a shell).
 * @example execFailureCode(ENOENT) // 127
 */
export function execFailureCode(errno: number): number {
  return errno === ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
}

/**
 * The one line naming a command that could not be executed, and corral's exit code for it.
 * @example execFailure("nginx", ENOENT) // { message: "nginx: command not found", code: 127 }
 */
export function execFailure(file: string, errno: number): { message: string; code: number } {
  const code = execFailureCode(errno);
  if (errno === ENOENT) return { message: `${file}: command not found`, code };
  if (errno === EACCES) return { message: `${file}: permission denied (not executable)`, code };
  // fork(2) itself failed: a pids limit (cgroup) or RLIMIT_NPROC is reached.
  if (errno === EAGAIN) return { message: `${file}: cannot start a process (EAGAIN: the process limit is reached)`, code };
  return { message: `${file}: cannot execute (errno ${errno})`, code };
}
