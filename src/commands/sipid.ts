// Invoked as `sipid`, the helpers keep sipid's contract: usage on stderr and exit 1,
// where corral itself reports one line and exits 2.
import type { Os } from "../os/types.ts";
import { UsageError } from "../core/errors.ts";

/** Exit code sipid uses for every failure, usage errors included. */
export const SIPID_EXIT_FAILURE = 1;

/** sipid's usage text, with corral's additions (--timeout for kill, tcp:/exec: probes). */
export const SIPID_USAGE = `usage: sipid claim --pid PID --pid-file PID_FILE
       sipid kill --pid-file PID_FILE [--show-stacks] [--timeout DURATION (default 20s)]
       sipid wait-until-healthy --url HEALTHCHECK_URL [--timeout DURATION (default 1m)] [--polling-frequency DURATION (default 5s)]

       DURATIONS must be specified with units (e.g. 10s, 4m, 500ms)
       HEALTHCHECK_URL may also be tcp:HOST:PORT or exec:COMMAND ARGS
`;

/**
 * Runs a subcommand body; under the name sipid a UsageError becomes sipid's usage and exit 1,
 * otherwise it propagates (corral reports it and exits 2).
 * @example await sipidCompatible(os, async () => { throw new UsageError("--pid PID is required"); }) // as sipid: usage on stderr, 1
 */
export async function sipidCompatible(os: Os, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof UsageError) || os.invokedAs !== "sipid") throw err;
    process.stderr.write(`sipid: ${err.message}\n${SIPID_USAGE}`);
    return SIPID_EXIT_FAILURE;
  }
}
