// Memory, counted honestly: PID 1's peak RSS (VmHWM) next to what is private to it (RssAnon,
// from /proc/PID/status) and its proportional share (Pss, /proc/PID/smaps_rollup). VmRSS and
// VmHWM count the runtime's binary pages, which are shared with the page cache and with every
// other process running the same binary; RssAnon and Pss are what one more container costs.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { IN_NAMESPACE, during, inScratch, namespaceInit, pollUntil } from "../lib/proc.mjs";
import { DENO, ROOT } from "../lib/env.mjs";
import { supervisors } from "../lib/subjects.mjs";

const RUNS = 5;
/** Long enough for the runtime's start-up garbage to be collected or to settle. */
const SETTLE_MS = 1500;
const JOB = ["sleep", "100"];
const START_TIMEOUT_MS = 10_000;
/** Issue 11: corral idle within this much private memory of Node's own floor... */
const IDLE_ABOVE_FLOOR_MIB = 1.5;
/** ...and with 4 programs at most this fraction of supervisord's. */
const FOUR_VS_SUPERVISORD = 0.5;
const IDLE_JOB = join(ROOT, "bench/jobs/idle.js");

export const about =
  `rss: each subject runs as PID 1 of a fresh namespace; ${SETTLE_MS} ms after it has a child (or, for a runtime ` +
  "floor, after it started) the bench reads PID 1's VmHWM and RssAnon (/proc/PID/status) and Pss " +
  `(/proc/PID/smaps_rollup), ${RUNS} runs each. "idle" runs \`${JOB.join(" ")}\` as the job; the runtime floors are ` +
  "`node` and `deno run` of a script that only keeps a timer (bench/jobs/idle.js). The supervisor rows run " +
  "bench/lib/config.mjs's config with 1 and 4 `sleep` programs. VmHWM misleads: it counts the runtime's " +
  "binary, shared with every other process running it; RssAnon (private) and Pss (fair share) do not.";

/** [VmHWM, RssAnon, Pss] of `pid`, in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kb = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)?.[1]);
  return [kb(status, "VmHWM"), kb(status, "RssAnon"), kb(rollup, "Pss")].map((v) => v / 1024);
}

const hasChild = (pid) => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim() !== "";
  } catch {
    return false;
  }
};

/** Memory of the namespace's PID 1 once it settled; `withChild` waits for its first child. */
function once(argv, withChild, log) {
  return during([...IN_NAMESPACE, ...argv], async (run) => {
    let init;
    pollUntil(() => (init ??= namespaceInit(run.child.pid)) !== undefined && (!withChild || hasChild(init)),
      { what: `${argv[0]}: started`, timeoutMs: START_TIMEOUT_MS, pollMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return memoryOf(init);
  }, { stdio: log });
}

/** Memory rows: runtime floors, each init idle, each supervisor with 1 and 4 programs. */
export default async function rss(inits, corrals) {
  const subjects = [];
  const floors = [["node (floor)", [process.execPath, IDLE_JOB]]];
  if (corrals.some((c) => c.name === "corral on Deno")) floors.push(["deno (floor)", [DENO, "run", "--no-prompt", IDLE_JOB]]);
  await inScratch("rss", async (dir, log) => {
    const files = {};
    for (const n of [1, 4]) {
      const sub = join(dir, `p${n}`);
      mkdirSync(sub);
      files[n] = writeConfig(sub, Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i + 1}`, { command: `sleep ${1001 + i}` }])));
    }
    const idle = "idle (one job)";
    for (const [name, argv] of floors) subjects.push({ group: idle, name, argv, withChild: false });
    for (const init of inits) subjects.push({ group: idle, name: init.name, argv: [...init.pid1, ...JOB], withChild: true });
    for (const n of [1, 4]) {
      for (const s of supervisors(corrals)) subjects.push({ group: `supervisor, ${n} program${n > 1 ? "s" : ""}`, name: s.name, argv: s.argv(files[n]), withChild: true });
    }
    for (const s of subjects) s.samples = [];
    for (let run = 0; run < RUNS; run++) {
      for (const s of subjects) s.samples.push(await once(s.argv, s.withChild, log));
    }
  });
  const rows = [];
  ["VmHWM", "RssAnon", "Pss"].forEach((kind, k) => {
    for (const s of subjects) {
      const row = { measure: `PID 1 ${kind}, ${s.group}`, subject: s.name, unit: "MiB", samples: s.samples.map((m) => m[k]) };
      if (kind === "RssAnon" && s.name === "corral" && s.group.startsWith("idle")) row.target = { maxAbove: IDLE_ABOVE_FLOOR_MIB, against: "node (floor)" };
      if (kind === "RssAnon" && s.name === "corral" && s.group.endsWith("4 programs")) row.target = { max: FOUR_VS_SUPERVISORD, against: "supervisord" };
      rows.push(row);
    }
  });
  return rows;
}
