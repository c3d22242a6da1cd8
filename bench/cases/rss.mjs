// Memory: the init's peak RSS (VmHWM of PID 1) once it has started a job and settled.
import { IN_NAMESPACE, runOk } from "../lib/proc.mjs";

const RUNS = 5;
const SETTLE_S = 0.3;
const JOB = ["sh", "-c", `sleep ${SETTLE_S}; grep '^VmHWM:' /proc/1/status`];

export const about =
  `rss: the job sleeps ${SETTLE_S} s and reads PID 1's VmHWM (peak RSS) from /proc/1/status; ` +
  "that is the init alone, not the namespace (GNU time's %M would be the largest of init and job).";

/** Peak RSS of each init with an idle job. */
export default async function rss(inits) {
  const peak = new Map(inits.map((i) => [i.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const init of inits) {
      const { stdout } = await runOk([...IN_NAMESPACE, ...init.pid1, ...JOB]);
      const kb = Number(/^VmHWM:\s+(\d+)/m.exec(stdout)?.[1]);
      if (!kb) throw new Error(`${init.name}: no VmHWM in ${stdout}`);
      peak.get(init.name).push(kb / 1024);
    }
  }
  return inits.map((i) => ({ measure: "PID 1 peak RSS, idle job (VmHWM)", subject: i.name, unit: "MiB", samples: peak.get(i.name) }));
}
