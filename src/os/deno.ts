// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// exit and the SIGUSR1 guard. Signals come through corral.node's relay on both runtimes.
import { deno } from "./deno-api.ts";
import { nodeOs, signalRelay } from "./node.ts";
import { loadAddon, type Native } from "./native.ts";
import { SIGUSR1 } from "./signals.ts";
import type { Os } from "./types.ts";

/** Deno installs its SIGUSR1 inspector trigger 500 ms after start-up: corral looks every 25 ms
 * around then (so a SIGUSR1 can reach the inspector for at most ~25 ms), then twice more. */
const TAKEOVER_CHECKS_MS = [...Array.from({ length: 25 }, (_, i) => 400 + 25 * i), 2000, 5000];

/**
 * Keeps SIGUSR1 corral's: Deno (>= 2.9.2) would open an inspector on 127.0.0.1:9229. Once
 * Deno's handler is in place, corral.node's relay handler is put back.
 * @example guardSigusr1() // SIGUSR1 still reaches corral's handlers, never the inspector
 */
function guardSigusr1(): void {
  const relay = signalRelay(loadAddon<Native>("corral.node"));
  for (const ms of TAKEOVER_CHECKS_MS) setTimeout(() => relay.reclaim(SIGUSR1), ms);
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
      base.onSignals(signals, handler);
      if (signals.includes(SIGUSR1)) guardSigusr1();
    },
    exit: (code) => deno.exit(code),
  };
  return os;
}
