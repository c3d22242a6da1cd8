// The Deno implementation of the seam. Deno runs the CommonJS bundle with its Node
// compatibility and loads the same corral.node (plain Node-API, --allow-ffi), so spawning,
// reaping, kill, flock and the tty calls are the Node seam's own; what differs is swapped in:
// Deno's signal listeners and exit.
import { deno } from "./deno-api.ts";
import { nodeOs } from "./node.ts";
import { loadAddon, type Native } from "./native.ts";
import { SIGUSR1, signalName } from "./signals.ts";
import type { Os } from "./types.ts";

/** Deno installs its SIGUSR1 inspector trigger 500 ms after start-up: corral looks every 25 ms
 * around then (so a SIGUSR1 can reach the inspector for at most ~25 ms), then twice more. */
const TAKEOVER_CHECKS_MS = [...Array.from({ length: 25 }, (_, i) => 400 + 25 * i), 2000, 5000];

/**
 * Keeps SIGUSR1 corral's: Deno (>= 2.9.2) would open an inspector on 127.0.0.1:9229. Once
 * Deno's handler is in place, corral.node puts its own back, which reports through a pipe.
 * @example guardSigusr1(os, handler) // SIGUSR1 still reaches `handler`, never the inspector
 */
function guardSigusr1(os: Os, handler: (signo: number) => void): void {
  const native = loadAddon<Native>("corral.node");
  let reading = false;
  const check = () => {
    if (native.isTakenOver(SIGUSR1)) return;
    const fd = native.takeOverSignal(SIGUSR1);
    if (fd < 0 || reading) return;
    reading = true;
    os.readPipe(fd, (chunk) => chunk.forEach((signo) => handler(signo)), () => {});
  };
  for (const ms of TAKEOVER_CHECKS_MS) setTimeout(check, ms);
}

/**
 * Builds the Deno seam; only valid when `globalThis.Deno` exists. corral never uses
 * Deno.Command, so every child is corral.node's and `reap()` (waitpid(-1)) takes nothing
 * Deno itself waits for.
 * @example const os = denoOs(); os.runtime // "deno"
 */
export function denoOs(): Os {
  const os: Os = {
    ...nodeOs(),
    runtime: "deno",
    onSignals(signals, handler) {
      // Deno refuses only KILL, STOP, ILL, FPE and SEGV, none of which corral catches.
      for (const signo of signals) deno.addSignalListener(signalName(signo), () => handler(signo));
      if (signals.includes(SIGUSR1)) guardSigusr1(os, handler);
    },
    exit: (code) => deno.exit(code),
  };
  return os;
}
