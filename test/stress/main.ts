// The stress driver: runs the cases (full size unless --short), one after another so they do
// not skew each other's figures, and prints the figures table. Exit 1 when a figure fails.
// Usage (after npm run build): node test/stress/run.mjs [--short] [CASE-NAME-PART...]
import { CASES } from "./cases.ts";
import { figure, figuresTable, seconds, type Figure, type Scale } from "./lib/figures.ts";

const args = process.argv.slice(2);
const scale: Scale = args.includes("--short") ? "short" : "full";
const filters = args.filter((a) => a !== "--short");
const chosen = CASES.filter((c) => !filters.length || filters.some((f) => c.name.includes(f)));
if (chosen.length === 0) {
  console.error(`stress: no case matches ${filters.join(", ")}; cases: ${CASES.map((c) => c.name).join(", ")}`);
  process.exit(2);
}

const figures: Figure[] = [];
for (const c of chosen) {
  const t0 = Date.now();
  try {
    figures.push(...await c.run(scale));
  } catch (err) {
    figures.push(figure(c.name, `crashed: ${err instanceof Error ? err.message : err}`, "runs to the end", false));
  }
  console.error(`stress: ${c.name} done in ${seconds(Date.now() - t0)}`);
}
console.log(`\n${scale} run, ${new Date().toISOString().slice(0, 10)}, node ${process.version}, ${process.env.CORRAL_TEST_RUNTIME ?? "node"} runtime\n`);
console.log(figuresTable(figures));
process.exit(figures.every((f) => f.pass) ? 0 : 1);
