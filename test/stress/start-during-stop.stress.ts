// START during STOP's grace, over and over: the new instance's .running and pidfile must
// never be deleted (by the old one's late exit), and corral must never exit on its own.
import { openClient, type DgramClient } from "./lib/dgram.ts";
import { pidIn, startJob, stopJob, type Job } from "./lib/job.ts";
import { exists } from "./lib/proc.ts";
import { figure, seconds, sized, type StressCase } from "./lib/figures.ts";
import { sleep } from "../helpers.ts";

const ROUNDS = { full: 1000, short: 50 };
const STOP_GRACE_SECONDS = 5;
/** A round whose new instance is not RUNNING after this long is stuck. */
const ROUND_LIMIT_MS = 10_000;
/** The job takes 0-40 ms to act on SIGTERM, so START lands early, mid-way or just after. */
const JOB = `trap 'sleep 0.0$((RANDOM % 5)); exit 0' TERM; while :; do sleep 100 & wait $!; done`;
const STOP = Buffer.from("STOP\n"), START = Buffer.from("START\n");

/** How many STARTs the -vv log shows arriving while the program was STOPPING. */
function startsInGrace(log: string): number {
  let stopping = false, count = 0;
  for (const line of log.split("\n")) {
    if (/main: \w+ -> STOPPING/.test(line)) stopping = true;
    else if (/main: STOPPING -> /.test(line)) stopping = false;
    else if (stopping && /main: START( from|$)/.test(line)) { count++; stopping = false; }
  }
  return count;
}

/** True when a live instance (RUNNING or STOPPING, pid > 0) is missing its files, confirmed by a second STATUS. */
async function filesLost(client: DgramClient, job: Job): Promise<string | undefined> {
  const s = await client.status(job.sock);
  if (!s || s.pid === 0 || (s.state !== "RUNNING" && s.state !== "STOPPING")) return undefined;
  const [running, pidfile] = [pidIn(job.running), pidIn(job.pidfile)];
  if (running === s.pid && pidfile === s.pid) return undefined;
  const again = await client.status(job.sock);
  if (again?.pid !== s.pid || again.state !== s.state) return undefined;
  return `${s.state} pid ${s.pid}: .running ${running ?? "missing"}, pidfile ${pidfile ?? "missing"}`;
}

/** START during STOP's grace: files of the live instance intact, no unexpected exit, no stuck round. */
export const startDuringStop: StressCase = {
  name: "START during STOP's grace",
  async run(scale) {
    const rounds = sized(scale, ROUNDS);
    const job = await startJob(JOB, ["-vv", "--stop-grace", String(STOP_GRACE_SECONDS)]);
    const client = openClient();
    const problems: string[] = [];
    const t0 = Date.now();
    let done = 0;
    for (; done < rounds && exists(job.pid); done++) {
      const old = (await client.status(job.sock))?.pid;
      await client.send(job.sock, STOP);
      await sleep(done % 4 === 0 ? 0 : Math.random() * 30);
      if (done % 5 === 0) { await client.send(job.sock, START); await client.send(job.sock, STOP); }
      await client.send(job.sock, START);
      const deadline = Date.now() + ROUND_LIMIT_MS;
      for (;;) {
        const lost = await filesLost(client, job);
        if (lost) problems.push(`round ${done}: ${lost}`);
        const s = await client.status(job.sock);
        if (s?.state === "RUNNING" && s.pid !== old) break;
        if (Date.now() > deadline || !exists(job.pid)) { problems.push(`round ${done}: stuck in ${s?.state ?? "no reply"}`); break; }
        await sleep(5);
      }
    }
    const ms = Date.now() - t0;
    const alive = exists(job.pid);
    client.close();
    const end = await stopJob(job);
    const inGrace = startsInGrace(end.stderr);
    return [
      figure(this.name, `${done} rounds of STOP then START (${inGrace} landed during the grace) in ${seconds(ms)}: ` +
        `${problems.length} with lost files or stuck${problems.length ? ` (${problems.slice(0, 3).join("; ")})` : ""}`, "0 (and most STARTs in the grace)", problems.length === 0 && done === rounds && inGrace > rounds / 2),
      figure(this.name, `corral ${alive ? "up" : "EXITED"} throughout; then SIGTERM exit ${end.code ?? end.signal}`, "up, exit 0", alive && end.code === 0),
    ];
  },
};
