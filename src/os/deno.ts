// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// exit, and Deno's own signal thread claimed before the relay. Signals come through
// corral.node's relay on both runtimes, and datagrams through its own sockets.
import { deno } from "./deno-api.ts";
import { nodeOs } from "./node.ts";
import { loadAddon, type Native } from "./native.ts";
import type { Os } from "./types.ts";

/** The signals Deno's own signal thread watches (HUP, INT, TERM) or adds later (USR1, the inspector). */
const DENO_WATCHED = ["SIGHUP", "SIGINT", "SIGTERM", "SIGUSR1"] as const;
let claimed = false;

/**
 * Deno's signal thread, started on the first signal registration (the inspector's SIGUSR1,
 * ~500 ms after start-up), installs handlers for HUP, INT and TERM and, for a signal no
 * listener claims, runs the default action: corral would die of a SIGTERM it had already
 * forwarded. One listener each, registered before corral.node installs its relay, starts
 * that thread now (so nothing installs a handler later) and claims each signal; the relay
 * then replaces Deno's handlers, so these listeners never run.
 */
function claimDenoSignals(): void {
  if (claimed) return;
  claimed = true;
  for (const name of DENO_WATCHED) deno.addSignalListener(name, () => {});
}

/**
 * Builds the Deno seam; only valid when `globalThis.Deno` exists. corral never uses
 * Deno.Command, so every child is corral.node's and `reap()` (waitpid(-1)) takes nothing
 * Deno itself waits for.
 * @example const os = denoOs(); os.runtime // "deno"
 */
export function denoOs(): Os {
  const base = nodeOs();
  const native = loadAddon<Native>("corral.node");
  const os: Os = {
    ...base,
    runtime: "deno",
    onSignals(signals, handler) {
      claimDenoSignals();
      base.onSignals(signals, handler);
    },
    exit: (code) => deno.exit(code),
  };
  return os;
}
