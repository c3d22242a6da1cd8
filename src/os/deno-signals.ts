// Deno's own signal thread, claimed before corral.node's relay takes over a signal.
import { deno } from "./deno-api.ts";
import { SIGHUP, SIGINT, SIGTERM, SIGUSR1 } from "./signals.ts";

/** The signals Deno's own signal thread watches (TERM, INT, HUP) or adds later (USR1, the inspector). */
const DENO_WATCHED: ReadonlyArray<readonly [number, string]> = [[SIGTERM, "SIGTERM"], [SIGINT, "SIGINT"], [SIGHUP, "SIGHUP"], [SIGUSR1, "SIGUSR1"]];

/**
 * Deno's signal thread, started on the first signal registration (the inspector's SIGUSR1,
 * ~500 ms after start-up), installs handlers for HUP, INT and TERM and, for a signal no
 * listener claims, runs the default action: corral would die of a SIGTERM it had already
 * forwarded. A listener for each of those that corral relays, registered before corral.node
 * installs the relay, starts that thread now (so nothing installs a handler later) and claims
 * the signal; the relay then replaces Deno's handler, so the listener never runs. A signal
 * corral does not relay is left unclaimed: it ends the process as it would on Node (SIGINT
 * ends `corral wait-until-healthy`). TERM is claimed first: the thread starts with the first
 * claim, and until a signal is claimed its default action stands. Call it only on Deno; the
 * relay's callers pass only signals it has not installed yet (a second claim of one would
 * add a listener that never runs, as after a boot whose relay could not start).
 * @example claimDenoSignals([15, 2]) // before corral.node's relaySignals([15, 2], …)
 */
export function claimDenoSignals(signals: readonly number[]): void {
  for (const [signo, name] of DENO_WATCHED) {
    if (signals.includes(signo)) deno.addSignalListener(name, () => {});
  }
}
