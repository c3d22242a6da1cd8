// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// exit, and Deno's own signal thread claimed before the relay. Signals come through
// corral.node's relay on both runtimes, and datagrams through its own sockets.
import { deno } from "./deno-api.ts";
import { claimDenoSignals } from "./deno-signals.ts";
import { nodeOs } from "./node.ts";
import type { Os } from "./types.ts";

/**
 * Builds the Deno seam; only valid when `globalThis.Deno` exists. corral never uses
 * Deno.Command, so every child is corral.node's and `reap()` (waitpid(-1)) takes nothing
 * Deno itself waits for.
 * @example const os = denoOs(); os.runtime // "deno"
 */
export function denoOs(): Os {
  return { ...nodeOs(claimDenoSignals), runtime: "deno", exit: (code) => deno.exit(code) };
}
