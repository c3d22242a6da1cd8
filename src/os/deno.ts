// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// exit and the signal guard. Signals come through corral.node's relay on both runtimes.
import { deno } from "./deno-api.ts";
import { nodeOs } from "./node.ts";
import { loadAddon, type Native } from "./native.ts";
import type { Os } from "./types.ts";

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
      base.onSignals(signals, handler);
      // Deno puts handlers of its own on HUP, INT, TERM and USR1 (the inspector) some 500 ms
      // after start-up; corral.node's guard thread puts the relay back within a millisecond.
      native.guardRelay();
    },
    exit: (code) => deno.exit(code),
  };
  return os;
}
