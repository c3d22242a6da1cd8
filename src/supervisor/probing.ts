// Readiness probes (`ready=`): polled until the first success, then the program is ready.
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { warn } from "../log.ts";

/** Placeholder until the shared probes land: a program with ready= is ready at once. */
export function startProbing(_os: Os, _reaper: Reaper, spec: ProgramSpec, onReady: () => void): () => void {
  warn(`${spec.name}: ready=${spec.ready} probes are not supported yet; treating it as ready`);
  onReady();
  return () => {};
}
