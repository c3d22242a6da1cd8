// Supervisor start-up (issue 4): one config with four programs run as PID 1 by corral
// --config and by Debian's supervisord; time until all four run, and PID 1's peak RSS.
import { readlinkSync } from "node:fs";
import { basename } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { IN_NAMESPACE, children, during, inScratch, namespaceInit, now, peakRssMiB, pollUntil } from "../lib/proc.mjs";
import { supervisors } from "../lib/subjects.mjs";

const RUNS = 5;
const PROGRAMS = 4;
/** Each program is a distinct `sleep`, so "spawned" is "a child of PID 1 has exec'd sleep". */
const PROGRAM = "sleep";
const SPAWN_TIMEOUT_MS = 10_000;
const POLL_MS = 0.2;
const SETTLE_MS = 300;

export const about =
  `supervisor: one supervisord-style config (bench/lib/config.mjs: [supervisord] nodaemon=true, logfile=/dev/null, ` +
  `a pidfile in tmp; ${PROGRAMS} [program:x] sections \`${PROGRAM} 100N\` with stdout_logfile=/dev/stdout) run as PID 1 by ` +
  "`corral --config FILE` and by `supervisord -n -c FILE`. The time runs from just before the bench spawns " +
  `\`unshare\` until ${PROGRAMS} children of PID 1 have exec'd ${PROGRAM} (/proc/PID/exe, polled every ${POLL_MS} ms); ` +
  `peak RSS is PID 1's VmHWM ${SETTLE_MS} ms later. Runs interleave the two, ${RUNS} each. supervisord ` +
  "(Python) spawns nothing before the first 1 s tick of its main loop.";

const spawnedAll = (init) =>
  init !== undefined &&
  children(init).filter((pid) => {
    try {
      return basename(readlinkSync(`/proc/${pid}/exe`)) === PROGRAM;
    } catch {
      return false; // gone, or not yet readable
    }
  }).length === PROGRAMS;

function once(subject, file, log) {
  const since = now();
  return during([...IN_NAMESPACE, ...subject.argv(file)], async (run) => {
    let init;
    const ms = pollUntil(() => spawnedAll((init ??= namespaceInit(run.child.pid))),
      { what: `${subject.name}: ${PROGRAMS} programs running`, timeoutMs: SPAWN_TIMEOUT_MS, pollMs: POLL_MS, since });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return { ms, mib: peakRssMiB(init) };
  }, { stdio: log });
}

/** Spawn time and peak RSS of each supervisor. */
export default async function supervisor(inits, corrals) {
  const subjects = supervisors(corrals);
  const results = new Map(subjects.map((s) => [s.name, []]));
  await inScratch("supervisor", async (dir, log) => {
    const programs = Object.fromEntries(Array.from({ length: PROGRAMS }, (_, i) => [`p${i + 1}`, { command: `${PROGRAM} ${1001 + i}` }]));
    const file = writeConfig(dir, programs);
    for (let run = 0; run < RUNS; run++) {
      for (const subject of subjects) results.get(subject.name).push(await once(subject, file, log));
    }
  });
  return [
    ...subjects.map((s) => ({ measure: `exec → ${PROGRAMS} programs running`, subject: s.name, unit: "ms", samples: results.get(s.name).map((r) => r.ms) })),
    ...subjects.map((s) => ({ measure: `supervisor PID 1 peak RSS, ${PROGRAMS} programs (VmHWM)`, subject: s.name, unit: "MiB", samples: results.get(s.name).map((r) => r.mib) })),
  ];
}
