// Every stress case, in the order the issue lists them.
import { badInputs } from "./bad-inputs.stress.ts";
import { crashLoopCase } from "./crash-loop.stress.ts";
import { hostile } from "./hostile.stress.ts";
import { logMemory } from "./log-memory.stress.ts";
import { logRotation } from "./log-rotation.stress.ts";
import type { StressCase } from "./lib/figures.ts";
import { orphanStorm } from "./orphan-storm.stress.ts";
import { permissions } from "./permissions.stress.ts";
import { pidfileRace } from "./pidfile-race.stress.ts";
import { rpcLoad } from "./rpc-load.stress.ts";
import { signalStorm } from "./signal-storm.stress.ts";
import { socketFuzz } from "./socket-fuzz.stress.ts";
import { stalledReader } from "./stalled-reader.stress.ts";
import { startDuringStop } from "./start-during-stop.stress.ts";

/** The suite: each case is bounded and talks only to processes and sockets on this machine. */
export const CASES: readonly StressCase[] = [
  orphanStorm, signalStorm, socketFuzz, permissions, stalledReader, crashLoopCase, badInputs, pidfileRace, startDuringStop, rpcLoad, hostile, logRotation, logMemory,
];
