// Interleaved wall times of a few commands, for checking a start-up fix on a busy machine:
// each round runs every command once in a fresh random order, so load changes hit all alike.
// Usage: node bench/profile/compare.mjs [--runs N] "CMD ARGS..." "CMD ARGS..." ...
//   e.g. compare.mjs "node -e 0" "node dist/corral.js -- /bin/true" "node /tmp/x/corral.js -- /bin/true"
// Prints each command's median in ms and its ratio to the first. stdout is a pipe, as in a container.
import { spawnSync } from "node:child_process";
import { BENCH_ENV } from "../lib/env.mjs";
import { fmt, median } from "../lib/stats.mjs";

const DEFAULT_RUNS = 60;
const WARMUP_ROUNDS = 3;
const EXIT_USAGE = 2;

const args = process.argv.slice(2);
const at = args.indexOf("--runs");
const runs = at >= 0 ? Number(args.splice(at, 2)[1]) : DEFAULT_RUNS;
const commands = args.map((c) => c.split(/\s+/).filter(Boolean));
if (!Number.isInteger(runs) || runs < 1 || commands.length < 1 || commands.some((c) => !c.length)) {
  console.error('compare: usage: compare.mjs [--runs N] "CMD ARGS..." ...  (N a positive integer)');
  process.exit(EXIT_USAGE);
}

const ms = commands.map(() => []);
for (let round = 0; round < runs + WARMUP_ROUNDS; round++) {
  const order = commands.map((_, i) => i).sort(() => Math.random() - 0.5);
  for (const i of order) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(commands[i][0], commands[i].slice(1), { env: BENCH_ENV, stdio: ["ignore", "pipe", "inherit"] });
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      console.error(`compare: ${args[i]}: exit ${r.status ?? r.signal}${r.error ? ` (${r.error.message})` : ""}`);
      process.exit(1);
    }
    if (round >= WARMUP_ROUNDS) ms[i].push(took);
  }
}
const first = median(ms[0]);
console.log(`| median (ms) | vs first | command |\n| ---: | ---: | --- |`);
commands.forEach((_, i) => console.log(`| ${fmt(median(ms[i]))} | ${fmt(median(ms[i]) / first)}× | \`${args[i]}\` |`));
