// exec: probes: healthy means the command exits 0 within the time allowed.
import { formatDuration } from "../core/duration.ts";
import { HEALTHY, unhealthy, type ProbeResult } from "./result.ts";

/** How probes start commands: injected, because under PID 1 the init loop owns every child. */
export interface ProbeDeps {
  /**
   * Runs argv and resolves to its exit code (128+N when killed by signal N, 127 not found).
   * When `signal` aborts (the probe timed out), the command should be killed.
   */
  runCommand(argv: string[], signal?: AbortSignal): Promise<number>;
}

/**
 * Runs argv through `deps`; past `timeoutMs` the probe fails and the command is aborted.
 * @example await execProbe(["pg_isready"], deps, 5000) // { healthy: true, ... }
 */
export async function execProbe(argv: string[], deps: ProbeDeps, timeoutMs: number): Promise<ProbeResult> {
  const abort = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<ProbeResult>((resolve) => {
    timer = setTimeout(() => {
      abort.abort();
      resolve(unhealthy(`${argv[0]} gave no result within ${formatDuration(timeoutMs)}`));
    }, timeoutMs);
  });
  const finished = deps.runCommand(argv, abort.signal)
    .then((code) => (code === 0 ? HEALTHY : unhealthy(`${argv[0]} exited with code ${code}`)));
  try {
    return await Promise.race([finished, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
