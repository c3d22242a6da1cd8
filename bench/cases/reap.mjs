// Reaping speed: PID 1 inherits 5000 zombies at once and the job times until all are gone.
import { join } from "node:path";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, runOk } from "../lib/proc.mjs";
import { REFERENCE } from "../lib/subjects.mjs";

const ZOMBIES = 5000;
const RUNS = 9;
/** Issue 2: reaping within 1.5x tini's time. */
const TARGET_VS_TINI = 1.5;
const JOB = join(ROOT, "bench/jobs/reap.pl");

export const about =
  `reap: bench/jobs/reap.pl makes ${ZOMBIES} children of a middle process exit, waits until all are ` +
  "zombies, notes the time and lets the middle process exit, so PID 1 adopts all of them at once; " +
  "the job then polls kill(pid, 0) (50 µs sleeps) until every pid is gone. The time is PID 1's " +
  "reaping plus the kernel's reparenting (the same for every init), not the forking. " +
  `Runs interleave the inits, ${RUNS} each. Peak RSS is PID 1's VmHWM read by the job right after.`;

/** Reaping time and the init's peak RSS under that load, per init. */
export default async function reap(inits) {
  const ms = new Map(inits.map((i) => [i.name, []]));
  const hwm = new Map(inits.map((i) => [i.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const init of inits) {
      const { stdout } = await runOk([...IN_NAMESPACE, ...init.pid1, "perl", JOB, `${ZOMBIES}`]);
      const m = /reaped=(\d+) ms=([\d.]+) hwm_kb=(\d+)/.exec(stdout);
      if (!m || Number(m[1]) !== ZOMBIES) throw new Error(`${init.name}: unexpected reap output: ${stdout}`);
      ms.get(init.name).push(Number(m[2]));
      hwm.get(init.name).push(Number(m[3]) / 1024);
    }
  }
  return [
    ...inits.map((i) => ({
      measure: `reap ${ZOMBIES} adopted zombies`,
      subject: i.name,
      unit: "ms",
      samples: ms.get(i.name),
      ...(i.name === "corral" && { target: { max: TARGET_VS_TINI, against: REFERENCE } }),
    })),
    ...inits.map((i) => ({
      measure: `PID 1 peak RSS after reaping ${ZOMBIES}`,
      subject: i.name,
      unit: "MiB",
      samples: hwm.get(i.name),
    })),
  ];
}
