// The I/O of supervised programs, given to the loop by the supervised modes: spawning a
// program (spawn spec, log prefix pipes) and running one readiness probe (`ready=`).
// The rules (when to probe, how often, when to stop) are the machine's (core/machine.ts).
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { parseProbe, runProbe } from "../health/probe.ts";
import { reaperRunner } from "../health/run-command.ts";
import { pumpedStdio } from "../logs/pump.ts";
import { prepareSpawn } from "./spawn-spec.ts";
import type { LoopHandle, ProgramPorts } from "./loop.ts";

/** The bound on each readiness probe. */
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Spawns `program` through the loop's reaper; streams corral formats or rotates get a pipe
 * read by the native log pump (corral keeps only the read ends). Returns the pid or -errno.
 * @example spawnProgram(os, pid1, spec, false, (exit) => console.log(exit.code))
 */
export function spawnProgram(os: Os, loop: LoopHandle, program: ProgramSpec, stdin: boolean,
  onExit: (exit: { pid: number; code: number; signal: number }) => void): number {
  const { spec, release } = prepareSpawn(os, program, os.env, stdin ? 0 : -1);
  const piped = pumpedStdio(os, loop.atExit, program, spec.stdio!, program.logFormat ?? "text");
  spec.stdio = piped.stdio;
  const pid = loop.reaper.spawnWith(spec, onExit);
  release();
  piped.release();
  piped.spawned(Math.max(pid, 0)); // 0: the spawn failed; the pump reads (and ends) the pipe anyway
  return pid;
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
