// The I/O of supervised programs, given to the loop by the supervised modes: spawning a
// program (spawn spec, log prefix pipes) and running one readiness probe (`ready=`).
// The rules (when to probe, how often, when to stop) are the machine's (core/machine.ts).
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { parseProbe, runProbe } from "../health/probe.ts";
import { reaperRunner } from "../health/run-command.ts";
import { pumpedStdio, type OutputSink } from "../logs/pump.ts";
import { prepareSpawn } from "./spawn-spec.ts";
import type { LoopHandle, ProgramPorts } from "./loop.ts";

/** The bound on each readiness probe. */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * What the pump reads of process `pid()` of `name` on a stream with *_events_enabled goes to
 * the loop as program-output (the machine makes PROCESS_LOG_STDOUT/STDERR of it).
 * @example pumpedStdio(os, pid1.atExit, program, [0, 1, 2], "text", outputToLoop(pid1, program.name, () => 42))
 */
export function outputToLoop(loop: LoopHandle, name: string, pid: () => number): OutputSink {
  return (channel, data) => loop.submit({ type: "program-output", name, pid: pid(), channel, data });
}

/**
 * Spawns `program` through the loop's reaper; streams corral formats or rotates, or whose
 * output becomes events, get a pipe read by the native log pump (corral keeps only the read
 * ends). `stdin`: true for corral's own, false for /dev/null, or a descriptor (a pipe's read
 * end). Returns the pid or -errno.
 * @example spawnProgram(os, pid1, spec, false, (exit) => console.log(exit.code))
 */
export function spawnProgram(os: Os, loop: LoopHandle, program: ProgramSpec, stdin: boolean | number,
  onExit: (exit: { pid: number; code: number; signal: number }) => void): number {
  const { spec, release } = prepareSpawn(os, program, os.env, stdin === true ? 0 : stdin === false ? -1 : stdin, loop.passFds);
  // Output reaches JS on a later turn of the event loop, when the pid below is set.
  let pid = 0;
  const piped = pumpedStdio(os, loop.atExit, program, spec.stdio!, program.logFormat ?? "text", outputToLoop(loop, program.name, () => pid));
  spec.stdio = piped.stdio;
  const spawned = loop.reaper.spawnWith(spec, onExit);
  pid = Math.max(spawned, 0);
  release();
  piped.release();
  piped.spawned(pid); // 0: the spawn failed; the pump reads (and ends) the pipe anyway
  return spawned;
}

/**
 * Runs the `ready=` probe once, bounded by PROBE_TIMEOUT_MS; exec probes run through the reaper.
 * @example await probeOnce(os, reaper, "tcp:127.0.0.1:5432") // false while nothing listens
 */
export function probeOnce(os: Os, reaper: Reaper, ready: string): Promise<boolean> {
  return runProbe(parseProbe(ready), reaperRunner(os, reaper), PROBE_TIMEOUT_MS);
}

/** The ports of supervised modes. */
export const PROGRAM_PORTS: ProgramPorts = { spawn: spawnProgram, probe: probeOnce };
