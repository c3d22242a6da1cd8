// Signals are caught from the boot's first lines (src/os/early-signals.ts), or here, and held
// until the loop takes them.
import { CAUGHT_AT_START } from "../os/early-signals.ts";
import type { Os } from "../os/types.ts";

/** A stream of received signal numbers that buffers until someone attaches. */
export interface SignalFeed {
  attach(handler: (signo: number) => void): void;
}

/**
 * Installs corral's handlers for every forwarded signal, SIGCHLD and the real-time signals
 * right away (a PID 1 without a handler silently drops signals), or takes over those the
 * boot installed, with what they caught so far.
 * @example const feed = catchSignals(os); feed.attach((signo) => console.log(signo));
 */
export function catchSignals(os: Os): SignalFeed {
  const early: number[] = [];
  let handler: ((signo: number) => void) | undefined;
  // Real-time signals too (dropped until there is a job): a default action would kill PID 1
  // when the signal comes from outside its namespace.
  os.forwardRealtime(0, new Map());
  os.onSignals(CAUGHT_AT_START, (signo) => (handler ? handler(signo) : early.push(signo)));
  return {
    attach(h) {
      handler = h;
      for (const signo of early.splice(0)) h(signo);
    },
  };
}
