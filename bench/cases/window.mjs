// The start-up window: how long after PID 1 exists a SIGTERM sent to it is still lost
// (dropped by the kernel before the init has a handler, or not passed on to the job).
import { join } from "node:path";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, namespaceInit, pollUntil, sleepSync, start } from "../lib/proc.mjs";

/** A delay is safe only when every one of these SIGTERMs reaches the job. */
const TRIALS = 5;
/** A job still running this long after the SIGTERM never got it. */
const LOST_AFTER_MS = 600;
const SEARCHES = 3;
/** Delays are tried in steps of this many ms. */
const STEP_MS = 0.25;
const MAX_STEPS = 4096;
const APPEAR_TIMEOUT_MS = 5000;
const POLL_MS = 0.1;
const JOB = join(ROOT, "bench/jobs/trap-term.pl");

export const about =
  `window: the bench polls (${POLL_MS} ms) for PID 1 of the new namespace to appear, sends it SIGTERM ` +
  `d ms later, and counts the SIGTERM as lost when bench/jobs/trap-term.pl still runs ${LOST_AFTER_MS} ms ` +
  `after it (the job exits 0 on TERM, or dies of it if it comes before its handler: both count as reached). ` +
  `The value is the smallest d (in ${STEP_MS} ms steps) at which ${TRIALS} of ${TRIALS} SIGTERMs reach the job, found by ` +
  `doubling then bisecting (assumes later is never worse); median of ${SEARCHES} searches. ` +
  `It includes unshare mounting /proc before it execs the init (the same for every init).`;

/** One SIGTERM `delayMs` after PID 1 appears; true when it reached the job. */
async function reached(init, delayMs) {
  const run = start([...IN_NAMESPACE, ...init.pid1, "perl", JOB], { stdio: "ignore" });
  try {
    let pid;
    const appeared = () => (pid = namespaceInit(run.child.pid)) !== undefined;
    pollUntil(appeared, { what: `${init.name}: PID 1 to appear`, timeoutMs: APPEAR_TIMEOUT_MS, pollMs: POLL_MS });
    sleepSync(delayMs);
    process.kill(pid, "SIGTERM");
    const lost = new Promise((resolve) => setTimeout(resolve, LOST_AFTER_MS, "lost"));
    return (await Promise.race([run.done, lost])) !== "lost";
  } finally {
    run.child.kill("SIGKILL");
    await run.done;
  }
}

async function safe(init, delayMs) {
  for (let i = 0; i < TRIALS; i++) if (!(await reached(init, delayMs))) return false;
  return true;
}

/** Smallest safe delay in ms, or NaN when even MAX_STEPS steps lose signals. */
async function search(init) {
  const safeAt = (steps) => safe(init, steps * STEP_MS);
  if (await safeAt(0)) return 0;
  let lo = 0, hi = 1;
  while (!(await safeAt(hi))) {
    if (hi >= MAX_STEPS) return NaN;
    [lo, hi] = [hi, hi * 2];
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (await safeAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi * STEP_MS;
}

/** The SIGTERM-losing start-up window of each init, in ms. */
export default async function window(inits) {
  const found = new Map(inits.map((i) => [i.name, []]));
  for (let s = 0; s < SEARCHES; s++) {
    for (const init of inits) found.get(init.name).push(await search(init));
  }
  return inits.map((i) => ({
    measure: "start-up window that loses a SIGTERM",
    subject: i.name,
    unit: "ms",
    samples: found.get(i.name),
  }));
}
