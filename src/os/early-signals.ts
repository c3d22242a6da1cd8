// Signals caught by the boot (src/os/boot.ts) right after it loads corral.node, before the
// application is read and compiled (milliseconds in which a PID 1 without handlers drops
// what it is sent), and held until the application's relay takes them.
import type { Native } from "./native.ts";
import { FORWARDED, SIGCHLD, SIGINT, SIGTERM } from "./signals.ts";

/** What corral catches at start-up (modes/signal-feed.ts): every forwarded signal and CHLD; the real-time ones by forwardRealtime. */
export const CAUGHT_AT_START: readonly number[] = [...FORWARDED, SIGCHLD];

/** Signals the boot has caught: their handlers are installed, and what arrives waits for attach(). */
export interface EarlySignals {
  readonly signals: readonly number[];
  /** Hands every signal that arrived, then every later one, to `dispatch`. Once. */
  attach(dispatch: (signo: number) => void): void;
}

/**
 * Whether an invocation catches signals at start-up: every one but a subcommand's, that is,
 * not as sipid (always a subcommand) and not with a first argument naming a subcommand
 * (`subcommands`, commands/names.ts; main.ts dispatches on the same rule).
 * @example catchesAtStart("corral", ["--", "sleep", "1"], ["ctl"]) // true; catchesAtStart("corral", ["ctl", "status"], ["ctl"]) // false
 */
export function catchesAtStart(invokedAs: string, args: readonly string[], subcommands: readonly string[]): boolean {
  return invokedAs !== "sipid" && !(args[0] !== undefined && subcommands.includes(args[0]));
}

/**
 * The name corral was invoked by: its script's file name without .js (`container-run`, `sipid`).
 * @example invocationName("/usr/local/bin/container-run.js") // "container-run"
 */
export function invocationName(script: string | undefined): string {
  const path = script ?? "corral";
  return path.slice(path.lastIndexOf("/") + 1).replace(/\.[cm]?js$/, "");
}

/** What Node's own start catches, before any JavaScript runs: node::SignalExit, a handler that resets itself. */
const NODE_START_CATCHES: readonly number[] = [SIGINT, SIGTERM];

/**
 * Which of INT and TERM arrived during Node's own start. Node catches both with a handler that
 * resets itself (SA_RESETHAND), restores the terminal and raises the signal again, which a PID 1
 * then drops: one that has fired is back at the default, its signal otherwise lost. Only one of
 * the two at the default says so; both at the default is taken for none (a Node that catches
 * neither). Call it on Node only, before the relay replaces them.
 * @example firedDuringNodeStart(dlopenAddon(__dirname)) // [15] after a `docker stop` during Node's start, else []
 */
export function firedDuringNodeStart(native: Native): number[] {
  const fired = native.defaultDisposition([...NODE_START_CATCHES]);
  return fired.length === 1 ? fired : [];
}

/**
 * Installs corral.node's relay for CAUGHT_AT_START and the real-time signals, holding what
 * arrives; `claim` runs first (Deno's, see deno-signals.ts). The relay keeps the callback of
 * its first call, this one's, so the application always attaches here. When installing fails,
 * `signals` is empty: the application installs them again and says why it cannot.
 * `arrived`: signals already received (firedDuringNodeStart), handed over first.
 * @example const early = catchEarly(dlopenAddon(__dirname)); early.attach((signo) => console.log(signo));
 */
export function catchEarly(native: Native, claim?: (signals: readonly number[]) => void, arrived: readonly number[] = []): EarlySignals {
  const held: number[] = [...arrived];
  let target: ((signo: number) => void) | undefined;
  claim?.(CAUGHT_AT_START);
  const installed = native.relaySignals([...CAUGHT_AT_START], (signo) => (target ? target(signo) : held.push(signo))) === 0;
  native.forwardRealtime(0, []); // dropped until there is a job: a default action would end PID 1
  return {
    signals: installed ? CAUGHT_AT_START : [],
    attach(dispatch) {
      target = dispatch;
      for (const signo of held.splice(0)) dispatch(signo);
    },
  };
}
