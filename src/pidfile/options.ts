// Flags of `pidfile claim` and `pidfile kill`, validated once into what the commands need.
import { UsageError } from "../core/errors.ts";
import { parseDuration } from "../core/duration.ts";
import { parseCommandFlags, requiredFlag, type FlagSpec } from "../core/command-flags.ts";
import { parsePid, PID_MAX } from "./content.ts";
import { DEFAULT_KILL_TIMEOUT_MS, type KillOptions } from "./kill.ts";

/** What `claim` was asked to do. */
export interface ClaimOptions {
  pid: number;
  file: string;
}

const CLAIM_FLAGS: readonly FlagSpec[] = [{ name: "pid", arg: "PID" }, { name: "pid-file", arg: "FILE" }];
const KILL_FLAGS: readonly FlagSpec[] = [{ name: "pid-file", arg: "FILE" }, { name: "timeout", arg: "DURATION" }, { name: "show-stacks" }];

/**
 * Parses `claim`'s flags; undefined means --help.
 * @example claimOptions(["--pid", "42", "--pid-file", "/run/web.pid"]) // { pid: 42, file: "/run/web.pid" }
 */
export function claimOptions(args: string[]): ClaimOptions | undefined {
  const flags = parseCommandFlags(args, CLAIM_FLAGS);
  if (flags["help"]) return undefined;
  const text = requiredFlag(flags, "pid", "PID");
  const pid = parsePid(text);
  if (pid === undefined) throw new UsageError(`--pid: expected a process id 1-${PID_MAX}, got "${text}"`);
  return { pid, file: requiredFlag(flags, "pid-file", "FILE") };
}

/**
 * Parses `kill`'s flags; undefined means --help.
 * @example killOptions(["--pid-file", "/run/web.pid", "--timeout", "5s"]) // { file: "/run/web.pid", timeoutMs: 5000, showStacks: false }
 */
export function killOptions(args: string[]): KillOptions | undefined {
  const flags = parseCommandFlags(args, KILL_FLAGS);
  if (flags["help"]) return undefined;
  const timeout = flags["timeout"] as string | undefined;
  return {
    file: requiredFlag(flags, "pid-file", "FILE"),
    timeoutMs: timeout === undefined ? DEFAULT_KILL_TIMEOUT_MS : parseDuration("--timeout", timeout),
    showStacks: flags["show-stacks"] === true,
  };
}
