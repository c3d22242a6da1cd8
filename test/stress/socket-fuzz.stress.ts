// Socket fuzz: 100,000 random datagrams at the control socket must change nothing.
import { randomBytes } from "node:crypto";
import { pidIn, startJob, stopJob } from "./lib/job.ts";
import { openClient } from "./lib/dgram.ts";
import { figure, mib, seconds, signed, sized, type StressCase } from "./lib/figures.ts";
import { rssAnonKb, rssFileKb, rssKb } from "./lib/proc.ts";

const DATAGRAMS = { full: 100_000, short: 5_000 };
/** corral's RSS may grow this much over the whole fuzz (issue 8). */
const RSS_GROWTH_LIMIT_KB = 5 * 1024;
const MAX_BYTES = 64 * 1024;
/** Words one slip away from a command (case, NUL, doubling, unknown verbs, junk around). */
const NEAR_MISSES = ["stop", "start", "Stop", "STOP\0", "\0STOP", "START START", "STOPSTART", "STO", "STARTT", "QUIT!",
  "RESTART\0", "status", "STATUS STATUS", "S T O P", "STOP;START", "STOP\x0bX", "\uFEFFSTOP", "ＳＴＯＰ", "STOP\r\nSTART", "RESTARTS"];
/** Full-size datagrams first, enough to pass V8's external-memory GC limit, so the leak check starts on a plateau. */
const WARMUP = 3_000;
/** One fuzz datagram: a near miss, a short binary one, or a random size up to 64 KiB. */
function datagram(i: number): Buffer {
  switch (i % 3) {
    case 0: return Buffer.from(NEAR_MISSES[(i / 3) % NEAR_MISSES.length | 0]!, "utf8");
    case 1: return randomBytes(Math.floor(Math.random() * 80));
    default: return randomBytes(Math.floor(Math.random() * (MAX_BYTES + 1)));
  }
}

/** Socket fuzz: no crash, same state and pid, RSS growth under 5 MiB. */
export const socketFuzz: StressCase = {
  name: "socket fuzz",
  async run(scale) {
    const n = sized(scale, DATAGRAMS);
    const job = await startJob("while :; do sleep 100 & wait $!; done");
    const client = openClient();
    const before = await client.status(job.sock);
    const [rss0, anon0, file0] = [rssKb(job.pid), rssAnonKb(job.pid), rssFileKb(job.pid)];
    for (let i = 0; i < WARMUP; i++) await client.send(job.sock, randomBytes(MAX_BYTES));
    const anonWarm = rssAnonKb(job.pid);
    let refused = 0;
    const t0 = Date.now();
    for (let i = 0; i < n; i++) if ((await client.send(job.sock, datagram(i))) !== 0) refused++;
    const sendMs = Date.now() - t0;
    const after = await client.status(job.sock);
    const [rssEnd, anonEnd, fileEnd] = [rssKb(job.pid), rssAnonKb(job.pid), rssFileKb(job.pid)];
    const [rss, leak, anon, file] = [rssEnd - rss0, anonEnd - anonWarm, anonEnd - anon0, fileEnd - file0];
    client.close();
    const same = before !== undefined && after !== undefined && after.state === "RUNNING" &&
      after.pid === before.pid && after.restarts === 0 && pidIn(job.pidfile) === before.pid;
    const end = await stopJob(job);
    return [
      figure(this.name, `${n} datagrams (0 B-64 KiB, binary, near misses) in ${seconds(sendMs)}, ${refused} refused`, "all delivered", refused === 0),
      figure(this.name, `state after: ${after?.state ?? "no reply"}, pid ${after?.pid === before?.pid ? "unchanged" : "CHANGED"}`,
        "RUNNING, same pid", same),
      // What the datagrams cost is anonymous memory; file-backed pages are node's own code, paged in
      // once as the JIT first optimizes the receive loop (+4 MiB seen; shared and reclaimable).
      figure(this.name, `corral RSS growth from idle ${signed(rss)}: anonymous ${signed(anon)}, file-backed ${signed(file)}`,
        `anonymous < ${mib(RSS_GROWTH_LIMIT_KB)}`, anon < RSS_GROWTH_LIMIT_KB),
      figure(this.name, `corral anonymous RSS growth after ${WARMUP} 64 KiB warm-up datagrams ${signed(leak)} (no leak)`, `< ${mib(RSS_GROWTH_LIMIT_KB)}`, leak < RSS_GROWTH_LIMIT_KB),
      figure(this.name, `then SIGTERM: exit ${end.code ?? end.signal}`, "exit 0", end.code === 0),
    ];
  },
};
