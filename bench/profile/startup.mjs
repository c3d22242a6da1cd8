// Where `corral -- /bin/true` spends its start-up: runs it N times with profile/marks.cjs
// preloaded and prints the median time of each step (in ms since the process started).
// Usage: node bench/profile/startup.mjs [--runs N] [--host] [--bundle PATH]
//   default: 30 runs of dist/corral.js as PID 1 of a new namespace, stdout a pipe.
//   --bundle profiles a candidate build (a copy of dist/ with a change in it).
// For a sampled view instead: node --cpu-prof dist/corral.js -- /bin/true
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { BENCH_ENV, ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE } from "../lib/proc.mjs";
import { CORRAL } from "../lib/subjects.mjs";
import { fmt, median } from "../lib/stats.mjs";

const DEFAULT_RUNS = 30;
const MARKS = join(ROOT, "bench/profile/marks.cjs");
const EXIT_USAGE = 2;

const args = process.argv.slice(2);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const runs = Number(option("--runs") ?? DEFAULT_RUNS);
const bundle = option("--bundle") ?? CORRAL;
const asPid1 = !args.includes("--host");
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`startup: --runs expects a positive integer, got ${option("--runs")}`);
  process.exit(EXIT_USAGE);
}
const argv = [...(asPid1 ? IN_NAMESPACE : []), process.execPath, "-r", MARKS, bundle, "--", "/bin/true"];

/** One run: its steps by name, repeated steps (one per signal, say) summed into one. */
function once() {
  const r = spawnSync(argv[0], argv.slice(1), { env: BENCH_ENV, stdio: ["ignore", "pipe", "inherit", "pipe"], encoding: "utf8" });
  if (r.status !== 0 || !r.output[3]) throw new Error(`${argv.join(" ")}: exit ${r.status ?? r.signal}, no marks`);
  const steps = new Map();
  for (const m of JSON.parse(r.output[3])) {
    const s = steps.get(m.step);
    steps.set(m.step, s ? { at: m.at, took: s.took + m.took, n: s.n + 1 } : { ...m, n: 1 });
  }
  return steps;
}

const all = Array.from({ length: runs }, once);
// Steps seen in most runs (a fast child can make corral exit before its main module returns).
const seen = (step) => all.filter((s) => s.has(step));
const rows = [...new Set(all.flatMap((s) => [...s.keys()]))]
  .filter((step) => seen(step).length * 2 > runs)
  .map((step) => ({
    step,
    at: median(seen(step).map((s) => s.get(step).at)),
    took: median(seen(step).map((s) => s.get(step).took)),
    n: seen(step)[0].get(step).n,
  }))
  .sort((a, b) => a.at - b.at);
console.log(`median of ${runs} runs of \`${bundle} -- /bin/true\` ${asPid1 ? "as PID 1" : "in the host namespace"}`);
console.log("| ends at (ms) | took (ms) | step |\n| ---: | ---: | --- |");
for (const r of rows) console.log(`| ${fmt(r.at)} | ${r.took ? fmt(r.took) : ""} | ${r.step}${r.n > 1 ? ` (×${r.n})` : ""} |`);
