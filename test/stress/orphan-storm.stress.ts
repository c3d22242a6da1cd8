// Orphan storm: PID 1 adopts 20,000 orphans (500 at a time) and must leave no zombie.
import { join } from "node:path";
import { run } from "../helpers.ts";
import { figure, mib, seconds, sized, type StressCase } from "./lib/figures.ts";

const ORPHANS = { full: 20_000, short: 2_000 };
const BATCH = 500;
/** Whole storm, forks included, on a busy 2-core machine. */
const LIMIT_MS = 60_000;
/** corral's peak RSS under the storm. */
const PEAK_RSS_LIMIT_KB = 80 * 1024;
const JOB = join(process.cwd(), "test/stress/jobs/orphans.pl");

/** Orphan storm: zombies left, time and corral's peak RSS. */
export const orphanStorm: StressCase = {
  name: "orphan storm",
  async run(scale) {
    const n = sized(scale, ORPHANS);
    const r = await run(["--", "perl", JOB, String(n), String(BATCH)]);
    const m = /orphans=(\d+) ms=(\d+) zombies=(\d+) hwm_kb=(\d+)/.exec(r.stdout);
    if (r.code !== 0 || !m) return [figure(this.name, `job failed: exit ${r.code}, ${r.stderr.trim() || r.stdout.trim()}`, "exit 0", false)];
    const [ms, zombies, hwm] = [Number(m[2]), Number(m[3]), Number(m[4])];
    return [
      figure(this.name, `${n} orphans adopted, ${zombies} zombies left`, "0 zombies", zombies === 0),
      figure(this.name, `made and reaped in ${seconds(ms)} (${Math.round(n / (ms / 1000))}/s)`, `< ${seconds(LIMIT_MS)}`, ms < LIMIT_MS),
      figure(this.name, `corral peak RSS ${mib(hwm)}`, `< ${mib(PEAK_RSS_LIMIT_KB)}`, hwm < PEAK_RSS_LIMIT_KB),
    ];
  },
};
