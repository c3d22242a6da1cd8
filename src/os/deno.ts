// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// Deno's signal listeners and exit, and datagram sockets from Deno.listenDatagram.
import { deno } from "./deno-api.ts";
import { bindDatagram, sendDatagram } from "./deno-datagram.ts";
import { nodeOs } from "./node.ts";
import { signalName } from "./signals.ts";
import type { Os } from "./types.ts";

/**
 * Builds the Deno seam; only valid when `globalThis.Deno` exists. corral never uses
 * Deno.Command, so every child is corral.node's and `reap()` (waitpid(-1)) takes nothing
 * Deno itself waits for.
 * @example const os = denoOs(); os.runtime // "deno"
 */
export function denoOs(): Os {
  return {
    ...nodeOs(),
    runtime: "deno",
    onSignals(signals, handler) {
      // Deno refuses only KILL, STOP, ILL, FPE and SEGV, none of which corral catches.
      for (const signo of signals) deno.addSignalListener(signalName(signo), () => handler(signo));
    },
    exit: (code) => deno.exit(code),
    bindDatagram,
    sendDatagram,
  };
}
