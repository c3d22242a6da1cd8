// Signal forwarding latency: SIGUSR1 sent to PID 1 from outside until the job's answer arrives.
import { join } from "node:path";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, during, namespaceInit, now, stdoutHas } from "../lib/proc.mjs";

const ROUND_TRIPS = 200;
const ANSWER_TIMEOUT_MS = 5000;
const JOB = join(ROOT, "bench/jobs/trap-usr1.pl");

export const about =
  `signal: the bench sends SIGUSR1 to PID 1's host pid; the init forwards it; bench/jobs/trap-usr1.pl ` +
  `answers with one byte on stdout, which reaches the bench through the init's inherited pipe. ` +
  `${ROUND_TRIPS} round trips, one at a time, per init; includes the bench's own wake-up (same for all).`;

function answer(stream, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${ANSWER_TIMEOUT_MS} ms`)), ANSWER_TIMEOUT_MS);
    stream.once("data", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function roundTrips(init) {
  return during([...IN_NAMESPACE, ...init.pid1, "perl", JOB], async (job) => {
    await stdoutHas(job, "ready\n", ANSWER_TIMEOUT_MS);
    const pid = namespaceInit(job.child.pid);
    const samples = [];
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const arrived = answer(job.child.stdout, `${init.name}: SIGUSR1 number ${i + 1}`);
      const t0 = now();
      process.kill(pid, "SIGUSR1");
      await arrived;
      samples.push((now() - t0) * 1000);
    }
    return samples;
  });
}

/** Round-trip times of SIGUSR1 through each init, in microseconds. */
export default async function signal(inits) {
  const rows = [];
  for (const init of inits) {
    rows.push({ measure: "signal round trip (SIGUSR1 → job → pipe)", subject: init.name, unit: "µs", samples: await roundTrips(init) });
  }
  return rows;
}
