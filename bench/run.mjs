// Benchmarks corral against Debian's tini and dumb-init in the same run; prints a markdown
// table of medians and ratios and writes it to bench/results.md.
// Usage: node bench/run.mjs [CASE...]   (`npm run bench` builds dist/ first; default: all cases)
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, ensurePackages, load, machine } from "./lib/env.mjs";
import { report } from "./lib/report.mjs";
import { CORRAL, CORRALS, INITS, takingPart } from "./lib/subjects.mjs";

/** One file under bench/cases/ each, run in this order. */
const CASES = [
  "startup",
  "reap",
  "rss",
  "signal",
  "window",
  "control",
  "rpc",
  "supervisor",
  "crashloop",
  "logprefix",
  "tails",
];

const EXIT_USAGE = 2;

const asked = process.argv.slice(2);
const unknown = asked.filter((c) => !CASES.includes(c));
if (unknown.length) {
  console.error(`bench: unknown case ${unknown.join(", ")}; expected some of: ${CASES.join(" ")}`);
  process.exit(EXIT_USAGE);
}
if (process.getuid?.() !== 0) {
  console.error("bench: must run as root (each init runs as PID 1 of a new PID namespace)");
  process.exit(EXIT_USAGE);
}
if (!existsSync(CORRAL)) {
  console.error(`bench: ${CORRAL} is missing; run \`npm run build\` (or \`npm run bench\`)`);
  process.exit(EXIT_USAGE);
}

const installed = ensurePackages();
if (installed.length) console.error(`bench: installed ${installed.join(" ")}`);

const t0 = Date.now();
const loadBefore = load();
console.error(`bench: ${loadBefore}`);
const rows = [];
const abouts = [];
for (const name of asked.length ? asked : CASES) {
  const started = Date.now();
  const run = await import(`./cases/${name}.mjs`);
  rows.push(...(await run.default(takingPart(INITS, name), takingPart(CORRALS, name))));
  abouts.push(run.about);
  console.error(`bench: ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

const markdown = report({
  date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
  machine: machine(),
  loadBefore,
  loadAfter: load(),
  rows,
  abouts,
  seconds: (Date.now() - t0) / 1000,
});
writeFileSync(join(ROOT, "bench/results.md"), markdown);
process.stdout.write(markdown);
