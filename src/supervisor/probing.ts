// Readiness probes (`ready=`): polled from RUNNING until the first success; then the
// program counts as ready and its dependents may start.
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { SIGKILL } from "../os/signals.ts";
import { parseProbe, runProbe, type ProbeDeps } from "../health/probe.ts";
import { envList } from "../init/run.ts";
import { codeOf } from "./supervisor.ts";

/** Pause between failed probes, and the bound on each one. */
export const PROBE_INTERVAL_MS = 500;
export const PROBE_TIMEOUT_MS = 5000;

/**
 * Probes `spec.ready` until it succeeds, then calls `onReady` once. Exec probes run
 * through the init's reaper. Returns a function that stops probing.
 * @example const stop = startProbing(os, reaper, spec, () => submit({ type: "ready", name }));
 */
export function startProbing(os: Os, reaper: Reaper, spec: ProgramSpec, onReady: () => void): () => void {
  const probe = parseProbe(spec.ready!);
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deps: ProbeDeps = {
    runCommand: (argv, signal) => new Promise((resolve) => {
      const pid = reaper.spawnWith({ file: argv[0]!, argv, env: envList(os.env), newGroup: true }, (exit) => resolve(codeOf(exit)));
      if (pid < 0) return resolve(127);
      signal?.addEventListener("abort", () => os.kill(-pid, SIGKILL));
    }),
  };
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
