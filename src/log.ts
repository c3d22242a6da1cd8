// corral's own diagnostics on stderr: one line each, never blocking the event loop.
import { fstatSync, openSync, constants } from "node:fs";
import type { Os } from "./os/types.ts";

/** Verbosity: 0 errors and warnings, 1 lifecycle (-v), 2 every event (-vv). */
let verbosity = 0;
let os: Os | undefined;
let fd = 2;
let dropped = 0;
const encoder = new TextEncoder();

/**
 * Sets up logging. When stderr is a pipe, corral writes through its own non-blocking
 * open of it, so a stalled reader costs dropped lines, never a blocked PID 1.
 * @example initLog(os, 1)
 */
export function initLog(theOs: Os, level: number): void {
  os = theOs;
  verbosity = level;
  try {
    if (fstatSync(2).isFIFO()) fd = openSync("/proc/self/fd/2", constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    fd = 2;
  }
}

/** Changes the verbosity after options are known. */
export function setVerbosity(level: number): void {
  verbosity = level;
}

/** The current verbosity (for callers that build expensive messages). */
export function logLevel(): number {
  return verbosity;
}

function emit(line: string): void {
  const data = encoder.encode(`corral: ${line}\n`);
  if (!os) {
    try { process.stderr.write(data); } catch { /* nowhere to report */ }
    return;
  }
  if (dropped > 0) {
    const note = encoder.encode(`corral: (${dropped} log lines dropped: stderr was not being read)\n`);
    if (os.writeSome(fd, note) < 0) { dropped++; return; }
    dropped = 0;
  }
  if (os.writeSome(fd, data) < 0) dropped++;
}

/** An error or warning: always shown. */
export function warn(message: string): void {
  emit(message);
}

/** Lifecycle events, shown with -v. */
export function info(message: string): void {
  if (verbosity >= 1) emit(message);
}

/** Every event, shown with -vv. */
export function debug(message: string): void {
  if (verbosity >= 2) emit(message);
}
