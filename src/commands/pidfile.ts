// `corral pidfile claim|kill` (and sipid's `claim`/`kill`): start and stop scripts' pidfiles.
import type { Os } from "../os/types.ts";
import { UsageError } from "../core/errors.ts";
import { formatDuration } from "../core/duration.ts";
import { sipidCompatible } from "./sipid.ts";
import { warn } from "../log.ts";
import { claimPidfile } from "../pidfile/claim.ts";
import { DEFAULT_KILL_TIMEOUT_MS, killPidfile } from "../pidfile/kill.ts";
import { claimOptions, killOptions } from "../pidfile/options.ts";

const USAGE = `Usage:
  corral pidfile claim --pid PID --pid-file FILE
  corral pidfile kill --pid-file FILE [--show-stacks] [--timeout DURATION]

claim  writes PID to FILE (creating its directory) unless FILE names a running process
       or another claim holds FILE's lock. Exit 0 claimed, 1 not.
kill   sends SIGTERM to the process in FILE, waits --timeout (default ${formatDuration(DEFAULT_KILL_TIMEOUT_MS)}), then
       sends SIGKILL (SIGQUIT just before it with --show-stacks); removes FILE. Exit 0 when
       the process is gone or FILE is missing, 1 otherwise. Usage errors exit 2.
`;

async function claim(os: Os, args: string[]): Promise<number> {
  const options = claimOptions(args);
  if (!options) return help();
  const result = claimPidfile(os, options.file, options.pid);
  if (result.claimed) return 0;
  warn(`pidfile claim: ${result.reason}`);
  return 1;
}

async function kill(os: Os, args: string[]): Promise<number> {
  const options = killOptions(args);
  return options ? killPidfile(os, options) : help();
}

function help(): number {
  process.stdout.write(USAGE);
  return 0;
}

/**
 * Entry point for `corral pidfile VERB ...`.
 * @example await pidfileMain(os, ["claim", "--pid", "42", "--pid-file", "/var/vcap/sys/run/web/web.pid"]) // 0 once claimed
 */
export async function pidfileMain(os: Os, args: string[]): Promise<number> {
  return sipidCompatible(os, async () => {
    const [verb, ...rest] = args;
    if (verb === "claim") return claim(os, rest);
    if (verb === "kill") return kill(os, rest);
    if (verb === "-h" || verb === "--help") return help();
    throw new UsageError(`expected claim or kill, got ${verb === undefined ? "nothing" : `"${verb}"`} (see corral pidfile --help)`);
  });
}
