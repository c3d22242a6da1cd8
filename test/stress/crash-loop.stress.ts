// Crash loop: a program that exits at once, restarted for a minute, must cost corral next to
// no CPU, with the backoff visible in STATUS.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlPaths } from "../../src/control/paths.ts";
import { corralPid, sleep, start } from "../helpers.ts";
import { openClient } from "./lib/dgram.ts";
import { cpuTicks, TICKS_PER_SECOND } from "./lib/proc.ts";
import { figure, seconds, sized, type StressCase } from "./lib/figures.ts";

const DURATION_MS = { full: 60_000, short: 8_000 };
/** The same with startsecs=0: every exit counts as a run, and runs under 1 s back off too. */
const ZERO_STARTSECS_MS = { full: 10_000, short: 3_000 };
/** corral's CPU time over the loop, as a share of one core (issue 8). */
const CPU_LIMIT = 0.05;
const POLL_MS = 250;

interface Loop {
  cpu: number;
  spawns: number;
  states: Set<string>;
  ms: number;
}

/** Runs `corral --config` with one crashing program for `ms`, polling its STATUS. */
async function crashLoop(startsecs: number, ms: number): Promise<Loop> {
  const base = mkdtempSync(join(tmpdir(), "corral-stress-"));
  const config = join(base, "crash.conf");
  writeFileSync(config, `[program:crash]\ncommand=/bin/false\nautorestart=true\nstartsecs=${startsecs}\nstartretries=100000\njob=crash\n`);
  const corral = start(["-v", "--base-dir", base, "--config", config]);
  const pid = await corralPid(corral);
  const client = openClient();
  const sock = controlPaths(base, "crash", "crash").socket;
  const states = new Set<string>();
  const [t0, cpu0] = [Date.now(), cpuTicks(pid)];
  while (Date.now() - t0 < ms) {
    const s = await client.status(sock);
    if (s) states.add(s.state);
    await sleep(POLL_MS);
  }
  const [elapsed, cpu] = [Date.now() - t0, (cpuTicks(pid) - cpu0) / TICKS_PER_SECOND];
  client.close();
  process.kill(pid, "SIGTERM");
  const end = await corral.done;
  rmSync(base, { recursive: true, force: true });
  return { cpu: cpu / (elapsed / 1000), spawns: (end.stderr.match(/started as pid/g) ?? []).length, states, ms: elapsed };
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

/** Crash loop: CPU share, restarts, BACKOFF seen; and the startsecs=0 variant. */
export const crashLoopCase: StressCase = {
  name: "crash loop",
  async run(scale) {
    const slow = await crashLoop(1, sized(scale, DURATION_MS));
    const fast = await crashLoop(0, sized(scale, ZERO_STARTSECS_MS));
    return [
      figure(this.name, `/bin/false for ${seconds(slow.ms)} (startsecs=1): corral CPU ${percent(slow.cpu)} of a core, ${slow.spawns} starts`,
        `< ${percent(CPU_LIMIT)}`, slow.cpu < CPU_LIMIT),
      figure(this.name, `states seen in STATUS: ${[...slow.states].sort().join(", ")}`, "BACKOFF among them", slow.states.has("BACKOFF")),
      figure(this.name, `/bin/false for ${seconds(fast.ms)} (startsecs=0): corral CPU ${percent(fast.cpu)} of a core, ${fast.spawns} starts`,
        `< ${percent(CPU_LIMIT)}`, fast.cpu < CPU_LIMIT),
    ];
  },
};
