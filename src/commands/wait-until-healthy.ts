// `corral wait-until-healthy` (and `sipid wait-until-healthy`): poll a probe until it passes.
import type { Os } from "../os/types.ts";
import { UsageError } from "../core/errors.ts";
import { warn } from "../log.ts";
import { formatDuration, parseDuration } from "../core/duration.ts";
import { parseCommandFlags, requiredFlag, type FlagSpec } from "../core/command-flags.ts";
import { pollUntilHealthy } from "../health/poll.ts";
import { checkProbe, parseProbe, type Probe } from "../health/probe.ts";
import { commandRunner } from "../health/run-command.ts";
import { sipidCompatible } from "./sipid.ts";

// sipid's defaults: give up after a minute, probe every five seconds.
const DEFAULT_TIMEOUT = "1m";
const DEFAULT_POLLING_FREQUENCY = "5s";

const FLAGS: readonly FlagSpec[] = [
  { name: "url", arg: "URL" },
  { name: "timeout", arg: "DURATION" },
  { name: "polling-frequency", arg: "DURATION" },
];

const USAGE = `Usage: corral wait-until-healthy --url PROBE [--timeout DURATION] [--polling-frequency DURATION]

Probes at once, then every --polling-frequency (default ${DEFAULT_POLLING_FREQUENCY}) until healthy or
--timeout (default ${DEFAULT_TIMEOUT}) has passed. Exit 0 when healthy, 1 when not, 2 on usage errors.
PROBE: http://URL or https://URL (healthy: status 200), tcp:HOST:PORT (a connection is
accepted), exec:COMMAND ARGS (it exits 0). DURATION: 500ms, 20s, 1m, 2m30s.
`;

/** What the flags ask for, validated once. */
interface WaitOptions {
  url: string;
  probe: Probe;
  timeoutMs: number;
  periodMs: number;
}

function waitOptions(args: string[]): WaitOptions | undefined {
  const flags = parseCommandFlags(args, FLAGS);
  if (flags["help"]) return undefined;
  const url = requiredFlag(flags, "url", "URL");
  let probe: Probe;
  try {
    probe = parseProbe(url);
  } catch (err) {
    throw new UsageError(`--url: ${(err as Error).message}`);
  }
  const positive = (flag: string, text: string): number => {
    const ms = parseDuration(`--${flag}`, text);
    if (ms <= 0) throw new UsageError(`--${flag}: expected a duration above zero, got "${text}"`);
    return ms;
  };
  return {
    url,
    probe,
    timeoutMs: positive("timeout", (flags["timeout"] as string | undefined) ?? DEFAULT_TIMEOUT),
    periodMs: positive("polling-frequency", (flags["polling-frequency"] as string | undefined) ?? DEFAULT_POLLING_FREQUENCY),
  };
}

/**
 * Entry point: exit 0 once healthy, 1 with "not healthy after N attempts" otherwise.
 * @example await waitUntilHealthyMain(os, ["--url", "http://127.0.0.1:8080/health", "--timeout", "2m"]) // 0 once healthy
 */
export async function waitUntilHealthyMain(os: Os, args: string[]): Promise<number> {
  return sipidCompatible(os, async () => {
    const options = waitOptions(args);
    if (!options) {
      process.stdout.write(USAGE);
      return 0;
    }
    const deps = commandRunner(os);
    const outcome = await pollUntilHealthy((boundMs) => checkProbe(options.probe, deps, boundMs), options);
    if (outcome.healthy) return 0;
    warn(`wait-until-healthy: ${options.url} not healthy after ${outcome.attempts} ` +
      `attempt${outcome.attempts === 1 ? "" : "s"} ` +
      `in ${formatDuration(options.timeoutMs)} (last: ${outcome.lastDetail})`);
    return 1;
  });
}
