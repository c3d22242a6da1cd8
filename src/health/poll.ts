// The wait-until-healthy loop: probe at once, then once per period, until healthy or out of time.

/** Upper bound for one probe, as sipid's HTTP client had; the time left bounds it further. */
export const MAX_PROBE_MS = 30_000;

/** How long to keep trying and how often. */
export interface PollOptions {
  timeoutMs: number;
  periodMs: number;
}

/** How polling ended: healthy or not, after how many probes, and the last probe's reason. */
export interface PollOutcome {
  healthy: boolean;
  attempts: number;
  lastDetail: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe(boundMs)` right away and then every `periodMs` (start to start) until it
 * reports healthy or the next start would fall on or past `timeoutMs`; no probe outlives
 * the deadline, and a probe that overruns its period is followed at once.
 * @example await pollUntilHealthy((ms) => checkProbe(parseProbe("tcp:localhost:5432"), deps, ms), { timeoutMs: 60_000, periodMs: 5000 })
 */
export async function pollUntilHealthy(
  probe: (boundMs: number) => Promise<{ healthy: boolean; detail: string }>,
  options: PollOptions,
): Promise<PollOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (let attempts = 1; ; attempts++) {
    const started = Date.now();
    const result = await probe(Math.max(1, Math.min(MAX_PROBE_MS, deadline - started)));
    if (result.healthy) return { healthy: true, attempts, lastDetail: result.detail };
    const next = Math.max(started + options.periodMs, Date.now());
    if (next >= deadline) return { healthy: false, attempts, lastDetail: result.detail };
    await sleep(next - Date.now());
  }
}
