// Signal storm: 10,000 signals of every catchable kind at corral (PID 1), then a SIGTERM
// that must still end the job within the grace period.
import { constants } from "node:os";
import { alive, corralPid, start } from "../helpers.ts";
import { figure, seconds, signed, sized, type StressCase } from "./lib/figures.ts";
import { cpuTicks, rssKb, TICKS_PER_SECOND } from "./lib/proc.ts";

const SIGNALS_SENT = { full: 10_000, short: 1_000 };
/** corral's --grace: SIGTERM must have ended everything within it. */
const GRACE_SECONDS = 10;
/** Every signal but KILL/STOP (uncatchable) and TERM (kept for the end), real-time ones included. */
const MIX = [
  ...Object.entries(constants.signals).filter(([name]) => !["SIGKILL", "SIGSTOP", "SIGTERM"].includes(name)).map(([, n]) => n),
  ...Array.from({ length: 31 }, (_, i) => 34 + i),
];
/** The job ignores everything corral forwards (real-time signals too), so only SIGTERM (default action) ends it. */
const JOB = `trap '' ${MIX.filter((n) => n !== constants.signals.SIGCHLD).join(" ")}; echo ready; while :; do sleep 100 & wait $!; done`;
/** Send in bursts of this many, then yield, so corral's queue is hit hard but the test stays responsive. */
const BURST = 200;

/** Signal storm: corral survives, forwards, and still shuts down on SIGTERM within --grace. */
export const signalStorm: StressCase = {
  name: "signal storm",
  async run(scale) {
    const n = sized(scale, SIGNALS_SENT);
    const corral = start(["--grace", String(GRACE_SECONDS), "--", "bash", "-c", JOB]);
    await corral.waitFor("ready");
    const pid = await corralPid(corral);
    const [cpu0, rss0, t0] = [cpuTicks(pid), rssKb(pid), Date.now()];
    let sent = 0;
    while (sent < n && alive(pid)) {
      for (const end = Math.min(n, sent + BURST); sent < end; sent++) {
        try { process.kill(pid, MIX[sent % MIX.length]!); } catch { break; }
      }
      await new Promise((r) => setImmediate(r));
    }
    const sendMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    const survived = alive(pid);
    const [cpu, rss] = survived ? [(cpuTicks(pid) - cpu0) / TICKS_PER_SECOND, rssKb(pid) - rss0] : [NaN, NaN];
    const t1 = Date.now();
    if (survived) process.kill(pid, "SIGTERM");
    const end = await corral.done;
    const stopMs = Date.now() - t1;
    return [
      figure(this.name, `${sent} signals (${MIX.length} kinds) in ${seconds(sendMs)}: corral ${survived ? "alive" : "DIED"}, ` +
        `${cpu.toFixed(2)} s CPU, RSS ${signed(rss)}`, "alive", survived && sent === n),
      figure(this.name, `then SIGTERM: exit ${end.code ?? end.signal} after ${seconds(stopMs)}`, `exit 143 < ${GRACE_SECONDS} s`,
        end.code === 143 && stopMs < GRACE_SECONDS * 1000),
    ];
  },
};
