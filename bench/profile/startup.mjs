// Where `corral -- /bin/true` spends its start-up: runs it N times with profile/marks.cjs
// preloaded and prints the median time of each step (in ms since the process started).
// Usage: node bench/profile/startup.mjs [RUNS] [--host]   (default 30 runs, as PID 1)
// For a sampled view instead: node --cpu-prof dist/corral.js -- /bin/true
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BENCH_ENV, ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE } from "../lib/proc.mjs";
import { CORRAL } from "../lib/subjects.mjs";
import { fmt, median } from "../lib/stats.mjs";

const DEFAULT_RUNS = 30;
const MARKS = join(ROOT, "bench/profile/marks.cjs");

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? DEFAULT_RUNS);
const prefix = process.argv.includes("--host") ? [] : IN_NAMESPACE;

/** One run: the marks, with repeated steps (one per signal, say) summed into one. */
function once() {
  const r = spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), "-r", MARKS, CORRAL, "--", "/bin/true"], {
    env: BENCH_ENV,
    stdio: ["ignore", "ignore", "inherit", "pipe"],
    encoding: "utf8",
  });
  const marks = JSON.parse(r.output[3]);
  const steps = new Map();
  for (const m of marks) {
    const s = steps.get(m.step);
    steps.set(m.step, s ? { at: m.at, took: s.took + m.took, n: s.n + 1 } : { ...m, n: 1 });
  }
  return steps;
}

const all = Array.from({ length: runs }, once);
// Steps seen in most runs (a fast child can make corral exit before its main module returns).
const names = [...new Set(all.flatMap((s) => [...s.keys()]))].filter((k) => all.filter((s) => s.has(k)).length * 2 > runs);
const rows = names
  .map((k) => ({ k, at: median(all.filter((s) => s.has(k)).map((s) => s.get(k).at)), took: median(all.filter((s) => s.has(k)).map((s) => s.get(k).took)), n: all.find((s) => s.has(k)).get(k).n }))
  .sort((a, b) => a.at - b.at);
console.log(`median of ${runs} runs of \`corral -- /bin/true\`${prefix.length ? " as PID 1" : " in the host namespace"}`);
console.log("| ends at (ms) | took (ms) | step |\n| ---: | ---: | --- |");
for (const r of rows) console.log(`| ${fmt(r.at)} | ${r.took ? fmt(r.took) : ""} | ${r.k}${r.n > 1 ? ` (×${r.n})` : ""} |`);
