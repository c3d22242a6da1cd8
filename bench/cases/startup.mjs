// Start-up cost: wall time of `INIT -- /bin/true`, against each runtime doing nothing
// (corral's floor), once as PID 1 of a fresh namespace and once in the host namespace, timed by hyperfine.
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, renameSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { IN_NAMESPACE, inScratch, runOk } from "../lib/proc.mjs";
import { BENCH_ENV, DENO, ROOT } from "../lib/env.mjs";
import { CORRAL } from "../lib/subjects.mjs";

const ROUNDS = 4;
const RUNS_PER_ROUND = 10;
const WARMUP = 3;
/** callgrind runs per command (the instruction count's median). */
const INSTRUCTION_RUNS = 5;
/** A fixed V8 hash seed: the seed's primality test is the only part of the count that varies. */
const HASH_SEED_FLAG = "--hash-seed=7";
/** callgrind runs per command with the fixed seed (each gives the same count to ~0.1 M). */
const SEEDED_RUNS = 2;
/** `corral -- /bin/true` on Node within 30% of `node -e 0` (its floor): the team's decision of
 * 2026-12-06 on issue 11 (the bare-addon floor measured 1.03x; one init path, no second one). */
const TARGETED = "corral";
const TARGET_VS_FLOOR = 1.3;

export const about =
  `startup: hyperfine -N, ${ROUNDS} rounds of (${WARMUP} warm-ups + ${RUNS_PER_ROUND} runs per command), ` +
  "so a change in the machine's load hits every command alike; the samples of all rounds are pooled. " +
  "stdout is a pipe, as under a container runtime. " +
  `"/bin/true alone" is the cost of the namespace itself (unshare + mount of /proc); "node -e 0" and ` +
  "\"deno run nothing.js\" (a script of one comment) are each runtime's own floor under corral. " +
  `The instruction count (valgrind --tool=callgrind, every thread; median of ${INSTRUCTION_RUNS}) does not depend on the machine's load; it varies by up to ±6 M a run with V8's random hash seed. ` +
  `With a fixed seed (node ${HASH_SEED_FLAG}; corral from a copy of dist/ whose code cache was made under the same flag, as Node rejects a cache made under other V8 flags) the count repeats to ~0.1 M: the row for exact A/B comparisons.`;

/** Wall times in ms of each [name, argv] command, hyperfine's runs pooled over ROUNDS. */
const hyperfine = (commands) => inScratch("startup", async (dir) => {
  const json = join(dir, "hyperfine.json");
  const named = commands.flatMap(([name, argv]) => ["-n", name, argv.join(" ")]);
  const times = commands.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    await runOk(["hyperfine", "-N", "--output", "pipe", "--style", "none", "--warmup", `${WARMUP}`, "--runs", `${RUNS_PER_ROUND}`, "--export-json", json, ...named]);
    JSON.parse(readFileSync(json, "utf8")).results.forEach((r, i) => times[i].push(...r.times.map((s) => s * 1000)));
  }
  return times;
});

/**
 * Instructions each command executes (valgrind's callgrind, all threads): a count, not a time,
 * so it stays the same whatever else the machine is doing. Node only: Deno under valgrind is
 * too slow to be worth a bench minute.
 */
const instructions = (commands, runs = INSTRUCTION_RUNS) => inScratch("startup-instr", async (dir) => {
  const counts = commands.map(() => []);
  // V8 draws its hash seed at random and tests it for primality (HashSeed::InitializeRoots):
  // 0.4 to 13 M instructions a start, so one count alone is off by up to ±6 M.
  for (let run = 0; run < runs; run++) {
    for (const [i, [, argv]] of commands.entries()) {
      const { stderr } = await runOk(["valgrind", "--tool=callgrind", `--callgrind-out-file=${join(dir, "cg.out")}`, ...argv], { timeoutMs: 120_000 });
      counts[i].push(Number(/Collected : (\d+)/.exec(stderr)?.[1]) / 1e6);
    }
  }
  return counts;
});

/**
 * Instructions of `node -e 0` and `corral -- /bin/true` under HASH_SEED_FLAG: corral runs from
 * a copy of dist/ with a code cache made under that flag.
 */
const seededInstructions = ([floorName, floorArgv]) => inScratch("startup-seeded", async (dir) => {
  const copy = join(dir, "dist");
  cpSync(dirname(CORRAL), copy, { recursive: true });
  const bundle = join(copy, basename(CORRAL));
  const cache = `${bundle}.node.cache`;
  execFileSync(process.execPath, [HASH_SEED_FLAG, bundle, "--", "/bin/true"], {
    env: { ...BENCH_ENV, CORRAL_WRITE_CODE_CACHE: `${cache}.tmp`, CORRAL_CONTROL_SOCKET: "" }, stdio: "ignore" });
  renameSync(`${cache}.tmp`, cache);
  return instructions([[floorName, [floorArgv[0], HASH_SEED_FLAG, ...floorArgv.slice(1)]], [TARGETED, [process.execPath, HASH_SEED_FLAG, bundle, "--", "/bin/true"]]], SEEDED_RUNS);
});

async function measure(name, commands, target) {
  const times = await hyperfine(commands);
  return commands.map(([subject], i) => ({ measure: name, subject, unit: "ms", samples: times[i], ...(subject === TARGETED && { target }) }));
}

/** Rows for both namespaces; `inits` as in lib/subjects.mjs, each corral's runtime floor beside them. */
export default async function startup(inits, corrals) {
  const floors = corrals.map((c) => c.floor);
  const target = { max: TARGET_VS_FLOOR, against: corrals.find((c) => c.name === TARGETED).floor[0] };
  const node = corrals.find((c) => c.name === TARGETED);
  const counted = [node.floor, [TARGETED, [...node.hostArgv, "--", "/bin/true"]]];
  const counts = await instructions(counted);
  const seededCounts = await seededInstructions(node.floor);
  return [
    ...counted.map(([subject], i) => ({ measure: "`INIT -- /bin/true` instructions (callgrind, host)", subject, unit: "M", samples: counts[i],
      ...(subject === TARGETED && { target }) })),
    ...counted.map(([subject], i) => ({ measure: `\`INIT -- /bin/true\` instructions, fixed hash seed (callgrind, host, node ${HASH_SEED_FLAG})`, subject,
      unit: "M", samples: seededCounts[i], ...(subject === TARGETED && { target }) })),
    ...(await measure("`INIT -- /bin/true` as PID 1 (wall)", [
      ["/bin/true alone", [...IN_NAMESPACE, "/bin/true"]],
      ...floors.map(([name, argv]) => [name, [...IN_NAMESPACE, ...argv]]),
      ...inits.map((i) => [i.name, [...IN_NAMESPACE, ...i.pid1, "/bin/true"]]),
    ], target)),
    ...(await measure("`INIT -- /bin/true` in the host namespace (wall)", [
      ...floors,
      // What any CommonJS file costs on Deno: its Node compatibility layer (corral's bundle is CommonJS).
      ...(corrals.some((c) => c.name === "corral on Deno") ? [["deno run nothing.cjs", [DENO, "run", "--no-prompt", join(ROOT, "bench/jobs/nothing.cjs")]]] : []),
      ...inits.map((i) => [i.name, [...i.host, "/bin/true"]]),
    ], target)),
  ];
}
