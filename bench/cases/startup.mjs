// Start-up cost: wall time of `INIT -- /bin/true`, against bare `node -e 0` (corral's floor),
// once as PID 1 of a fresh namespace and once in the host namespace, timed by hyperfine.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IN_NAMESPACE, runOk } from "../lib/proc.mjs";

const ROUNDS = 4;
const RUNS_PER_ROUND = 10;
const WARMUP = 3;
/** Issue 2: `corral -- /bin/true` within 10% of `node -e 0`. */
const NODE_FLOOR = "node -e 0";
const TARGET_VS_NODE = 1.1;

export const about =
  `startup: hyperfine -N, ${ROUNDS} rounds of (${WARMUP} warm-ups + ${RUNS_PER_ROUND} runs per command), ` +
  "so a change in the machine's load hits every command alike; the samples of all rounds are pooled. " +
  "stdout is a pipe, as under a container runtime. " +
  `"/bin/true alone" is the cost of the namespace itself (unshare + mount of /proc).`;

/** Wall times in ms of each [name, argv] command, hyperfine's runs pooled over ROUNDS. */
async function hyperfine(commands) {
  const dir = mkdtempSync(join(tmpdir(), "corral-bench-"));
  const json = join(dir, "hyperfine.json");
  const named = commands.flatMap(([name, argv]) => ["-n", name, argv.join(" ")]);
  const times = commands.map(() => []);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      await runOk(["hyperfine", "-N", "--output", "pipe", "--style", "none", "--warmup", `${WARMUP}`, "--runs", `${RUNS_PER_ROUND}`, "--export-json", json, ...named]);
      JSON.parse(readFileSync(json, "utf8")).results.forEach((r, i) => times[i].push(...r.times.map((s) => s * 1000)));
    }
    return times;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(name, commands) {
  const times = await hyperfine(commands);
  return commands.map(([subject], i) => ({
    measure: name,
    subject,
    unit: "ms",
    samples: times[i],
    ...(subject === "corral" && { target: { max: TARGET_VS_NODE, against: NODE_FLOOR } }),
  }));
}

/** Rows for both namespaces; `inits` as in lib/subjects.mjs. */
export default async function startup(inits) {
  const node = [process.execPath, "-e", "0"];
  return [
    ...(await measure("`INIT -- /bin/true` as PID 1 (wall)", [
      ["/bin/true alone", [...IN_NAMESPACE, "/bin/true"]],
      [NODE_FLOOR, [...IN_NAMESPACE, ...node]],
      ...inits.map((i) => [i.name, [...IN_NAMESPACE, ...i.pid1, "/bin/true"]]),
    ])),
    ...(await measure("`INIT -- /bin/true` in the host namespace (wall)", [
      [NODE_FLOOR, node],
      ...inits.map((i) => [i.name, [...i.host, "/bin/true"]]),
    ])),
  ];
}
