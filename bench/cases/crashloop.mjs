// A crash-looping program (issue 4): how much CPU PID 1 spends restarting a program that
// exits at once, corral --config beside supervisord, over the same window.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { IN_NAMESPACE, cpuSeconds, during, inScratch, namespaceInit, now, waitFor } from "../lib/proc.mjs";
import { supervisors } from "../lib/subjects.mjs";

/** Issue 4: PID 1 under 5 % of a core while a program crash-loops with startsecs=1. */
const TARGET_PERCENT = 5;
/**
 * startsecs=1 (the case): every exit is a failed start, which is backed off.
 * startsecs=0: no start can fail, so only the supervisor's own pacing keeps the loop cool.
 */
const VARIANTS = [
  { startsecs: 1, windowS: 30, target: { max: TARGET_PERCENT } },
  { startsecs: 0, windowS: 10 },
];
const FIRST_START_TIMEOUT_MS = 10_000;
/** The run's deadline is the first start's and the window's, plus this. */
const MARGIN_MS = 5000;

export const about =
  "crashloop: one [program:crash] `sh -c 'echo >> STARTS; exit 1'` with autorestart=true, startretries=1000000, run by " +
  "corral --config and by supervisord at the same time (they share the 2 cores); from the program's first start, PID 1's " +
  "own CPU time (utime+stime in /proc/PID/stat, clock ticks) over the window as % of one core, and how often the " +
  "program was started (lines in STARTS). " +
  VARIANTS.map((v) => `startsecs=${v.startsecs}: ${v.windowS} s`).join(", ") + ". With startsecs=1 every exit is a " +
  "failed start, which both back off from; with startsecs=0 no start can fail, so supervisord's rule for failed " +
  "starts does not apply and each supervisor's own pacing shows.";

const lines = (file) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0);

/** PID 1's CPU % and the program's starts over the window, once the program has started. */
function measure(subject, dir, log, { startsecs, windowS }) {
  const starts = join(dir, "starts");
  const crash = { command: `sh -c "echo >> ${starts}; exit 1"`, autorestart: "true", startretries: "1000000", startsecs };
  const file = writeConfig(dir, { crash });
  return during([...IN_NAMESPACE, ...subject.argv(file)], async (run) => {
    await waitFor(() => existsSync(starts), { what: `${subject.name}: the first start`, timeoutMs: FIRST_START_TIMEOUT_MS });
    const init = namespaceInit(run.child.pid);
    const [cpu0, starts0, t0] = [cpuSeconds(init), lines(starts), now()];
    await new Promise((resolve) => setTimeout(resolve, windowS * 1000));
    const seconds = (now() - t0) / 1000;
    return { percent: (100 * (cpuSeconds(init) - cpu0)) / seconds, starts: lines(starts) - starts0 };
  }, { stdio: log, timeoutMs: FIRST_START_TIMEOUT_MS + windowS * 1000 + MARGIN_MS });
}

/** Each variant: one window with every supervisor running at once. */
export default async function crashloop(inits, corrals) {
  const subjects = supervisors(corrals);
  const rows = [];
  for (const variant of VARIANTS) {
    const results = await inScratch("crashloop", (dir, log) =>
      Promise.all(subjects.map((subject, i) => {
        const own = join(dir, `${i}`);
        mkdirSync(own);
        return measure(subject, own, log, variant);
      })));
    const named = `crash-looping program, startsecs=${variant.startsecs}`;
    rows.push(
      ...subjects.map((s, i) => ({
        measure: `${named}: PID 1 CPU over ${variant.windowS} s`,
        subject: s.name,
        unit: "% of a core",
        samples: [results[i].percent],
        ...(variant.target && s.name === "corral" && { target: variant.target }),
      })),
      ...subjects.map((s, i) => ({ measure: `${named}: starts in ${variant.windowS} s`, subject: s.name, unit: "starts", samples: [results[i].starts] })),
    );
  }
  return rows;
}
