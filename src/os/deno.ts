// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// exit, and Deno's own signal thread claimed before the relay. Signals come through
// corral.node's relay on both runtimes, and datagrams through its own sockets.
import { deno } from "./deno-api.ts";
import { nodeOs } from "./node.ts";
import type { Os } from "./types.ts";
import { SIGHUP, SIGINT, SIGTERM, SIGUSR1 } from "./signals.ts";

/** The signals Deno's own signal thread watches (TERM, INT, HUP) or adds later (USR1, the inspector). */
const DENO_WATCHED: ReadonlyArray<readonly [number, string]> = [[SIGTERM, "SIGTERM"], [SIGINT, "SIGINT"], [SIGHUP, "SIGHUP"], [SIGUSR1, "SIGUSR1"]];
const claimed = new Set<number>();

/**
 * Deno's signal thread, started on the first signal registration (the inspector's SIGUSR1,
 * ~500 ms after start-up), installs handlers for HUP, INT and TERM and, for a signal no
 * listener claims, runs the default action: corral would die of a SIGTERM it had already
 * forwarded. A listener for each of those that corral relays, registered before corral.node
 * installs the relay, starts that thread now (so nothing installs a handler later) and claims
 * the signal; the relay then replaces Deno's handler, so the listener never runs. A signal
 * corral does not relay is left unclaimed: it ends the process as it would on Node (SIGINT
 * ends `corral wait-until-healthy`). TERM is claimed first: the thread starts with the first
 * claim, and until a signal is claimed its default action stands.
 */
function claimDenoSignals(signals: readonly number[]): void {
  for (const [signo, name] of DENO_WATCHED) {
    if (!signals.includes(signo) || claimed.has(signo)) continue;
    claimed.add(signo);
    deno.addSignalListener(name, () => {});
  }
}

/**
 * Builds the Deno seam; only valid when `globalThis.Deno` exists. corral never uses
 * Deno.Command, so every child is corral.node's and `reap()` (waitpid(-1)) takes nothing
 * Deno itself waits for.
 * @example const os = denoOs(); os.runtime // "deno"
 */
export function denoOs(): Os {
  const base = nodeOs();
  const os: Os = {
    ...base,
    runtime: "deno",
    onSignals(signals, handler) {
      claimDenoSignals(signals);
      base.onSignals(signals, handler);
    },
    exit: (code) => deno.exit(code),
  };
  return os;
}
