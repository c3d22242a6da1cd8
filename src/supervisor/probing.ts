// Readiness probes (`ready=`): polled from RUNNING until the first success; then the
// program counts as ready and its dependents may start.
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { parseProbe, runProbe } from "../health/probe.ts";
import { reaperRunner } from "../health/run-command.ts";

/** Pause between failed probes, and the bound on each one. */
export const PROBE_INTERVAL_MS = 500;
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Probes `spec.ready` until it succeeds, then calls `onReady` once. Exec probes run
 * through the init's reaper. Returns a function that stops probing.
 * @example const stop = startProbing(os, reaper, spec, () => supervisor.handle({ type: "ready", name: spec.name }, Date.now()));
 */
export function startProbing(os: Os, reaper: Reaper, spec: ProgramSpec, onReady: () => void): () => void {
  const probe = parseProbe(spec.ready!);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deps = reaperRunner(os, reaper);
  const attempt = async (): Promise<void> => {
    if (stopped) return;
    const healthy = await runProbe(probe, deps, PROBE_TIMEOUT_MS);
    if (stopped) return;
    if (healthy) onReady();
    else timer = setTimeout(() => void attempt(), PROBE_INTERVAL_MS);
  };
  void attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
