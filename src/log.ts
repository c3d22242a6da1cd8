// corral's own diagnostics on stderr: one line each, never blocking the event loop.
import type { Os } from "./os/types.ts";

/** Verbosity: 0 errors and warnings, 1 lifecycle (-v), 2 every event (-vv). */
let verbosity = 0;
let os: Os | undefined;
let write: (data: Uint8Array) => number = () => -1;
let dropped = 0;
let copy: ((data: Uint8Array) => void) | undefined;
/** Lines logged before copyLogTo (config warnings), handed to it then; at most EARLY_LINES. */
let early: Uint8Array[] | undefined = [];
const EARLY_LINES = 32;
const encoder = new TextEncoder();

/**
 * Also hands every line corral logs (as written, newline included) to `sink`: the in-memory
 * tail behind readLog / maintail (logs/tails.ts).
 * @example copyLogTo((line) => os.writeTail(os.openTail(65536), line))
 */
export function copyLogTo(sink: (data: Uint8Array) => void): void {
  copy = sink;
  early?.forEach(sink);
  early = undefined;
}

/**
 * Sets up logging. When stderr is a pipe or terminal, corral writes through its own
 * non-blocking open of it, so a stalled reader costs dropped lines, never a blocked PID 1.
 * Native, so it works under Deno's permissions too. Files and sockets are written as they are.
 * @example initLog(os, 1)
 */
export function initLog(theOs: Os, level: number): void {
  os = theOs;
  verbosity = level;
  const own = theOs.reopenNonBlocking(2);
  const fd = own >= 0 ? own : 2;
  write = (data) => theOs.writeSome(fd, data);
}

/**
 * Changes the verbosity after options are known.
 * @example setVerbosity(initOptions(flags, ["nginx"]).verbosity)
 */
export function setVerbosity(level: number): void {
  verbosity = level;
}

/**
 * The current verbosity (for callers that build expensive messages).
 * @example if (logLevel() >= 2) debug(`environment: ${envList(os.env).join(" ")}`);
 */
export function logLevel(): number {
  return verbosity;
}

function emit(line: string): void {
  const data = encoder.encode(`corral: ${line}\n`);
  if (!os) return; // before initLog: there is no seam to write through yet
  if (copy) copy(data);
  else if (early && early.length < EARLY_LINES) early.push(data);
  if (dropped > 0) {
    const note = encoder.encode(`corral: (${dropped} log lines dropped: stderr was not being read)\n`);
    if (write(note) < 0) { dropped++; return; }
    dropped = 0;
  }
  if (write(data) < 0) dropped++;
}

/**
 * An error or warning: always shown.
 * @example warn("web: exited with code 1") // "corral: web: exited with code 1" on stderr
 */
export function warn(message: string): void {
  emit(message);
}

/**
 * Lifecycle events, shown with -v.
 * @example info("web: started as pid 42") // shown with -v
 */
export function info(message: string): void {
  if (verbosity >= 1) emit(message);
}

/**
 * Every event, shown with -vv.
 * @example debug("web: STOP") // shown with -vv
 */
export function debug(message: string): void {
  if (verbosity >= 2) emit(message);
}
