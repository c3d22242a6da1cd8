// Run-mode options, validated once at the boundary.
import { parseSignal, signalName, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU } from "../os/signals.ts";
import { UsageError } from "../core/errors.ts";
import type { Flags } from "./flags.ts";
import type { PassedFds } from "./passed-fds.ts";

/**
 * Without --single-child, job-control stops sent to corral reach the job as SIGSTOP, as in
 * dumb-init: the whole job stops even when it catches SIGTSTP. -r FROM:TO overrides each.
 */
export const GROUP_MODE_REWRITES: ReadonlyMap<number, number> = new Map([[SIGTSTP, SIGSTOP], [SIGTTIN, SIGSTOP], [SIGTTOU, SIGSTOP]]);

/** Default seconds between SIGTERM and SIGKILL for processes left after the command. */
export const DEFAULT_GRACE_SECONDS = 10;

/** What the PID-1 layer needs to know. */
export interface InitOptions {
  command: string[];
  singleChild: boolean;
  /** received signal -> forwarded signal (0 = drop) */
  rewrites: Map<number, number>;
  /** exit codes reported as 0 */
  remapExit: Set<number>;
  graceMs: number;
  verbosity: number;
  /** The descriptors corral was given to pass on (passedFds, checked at start). */
  passFds?: PassedFds;
}

/**
 * Parses a duration in seconds ("10", "0.5"); throws naming the flag otherwise.
 * @example parseSeconds("--grace", "2.5") // 2500
 */
export function parseSeconds(flag: string, text: string): number {
  if (!/^\d+(\.\d+)?$/.test(text.trim())) throw new UsageError(`${flag}: expected a number of seconds, got "${text}"`);
  return Math.round(Number(text) * 1000);
}

/**
 * Parses a "FROM:TO" rewrite; names or numbers, TO 0 drops FROM.
 * @example parseRewrite("TERM:QUIT") // [15, 3]
 */
export function parseRewrite(text: string): [number, number] {
  const m = /^([^:]+):([^:]+)$/.exec(text.trim());
  const from = m ? parseSignal(m[1]!) : undefined;
  const to = m ? parseSignal(m[2]!, true) : undefined;
  if (from === undefined || to === undefined) {
    throw new UsageError(`--rewrite: expected FROM:TO with signal names or numbers (TO 0 drops), got "${text}"`);
  }
  return [from, to];
}

/**
 * Parses an exit code 0-255.
 * @example parseExitCode("--remap-exit", "143") // 143
 */
export function parseExitCode(flag: string, text: string): number {
  const n = /^\d{1,3}$/.test(text.trim()) ? Number(text) : NaN;
  if (!(n >= 0 && n <= 255)) throw new UsageError(`${flag}: expected an exit code 0-255, got "${text}"`);
  return n;
}

/**
 * Builds InitOptions from parsed flags and the command.
 * @example initOptions(parseFlags(["-t", "5"], os.env), ["nginx"]).graceMs // 5000
 */
export function initOptions(flags: Flags, command: string[]): InitOptions {
  const singleChild = flags.singleChild;
  // Values first: `corral -t abc` names the bad value rather than the missing command.
  const options = {
    command,
    singleChild,
    rewrites: new Map([...(singleChild ? [] : GROUP_MODE_REWRITES), ...flags.rewrite.map(parseRewrite)]),
    remapExit: new Set(flags.remapExit.map((c) => parseExitCode("--remap-exit", c))),
    graceMs: parseSeconds("--grace", flags.grace ?? String(DEFAULT_GRACE_SECONDS)),
    verbosity: flags.debug ? Math.max(2, flags.verbose) : flags.verbose,
  };
  if (command.length === 0 && !flags.config) {
    throw new UsageError("no command given (usage: corral [OPTIONS] [--] COMMAND [ARGS...] or corral --config FILE)");
  }
  return options;
}

/**
 * One line describing the rewrites, for -v.
 * @example describeRewrites(new Map([[15, 3], [1, 0]])) // "SIGTERM->SIGQUIT, SIGHUP->drop"
 */
export function describeRewrites(rewrites: Map<number, number>): string {
  return [...rewrites].map(([f, t]) => `${signalName(f)}->${t ? signalName(t) : "drop"}`).join(", ");
}
