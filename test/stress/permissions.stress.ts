// Permissions: the control socket is 0600, another uid cannot send to it, and SIGUSR1
// (Node's "start the inspector") never opens a debugger port.
import { spawnSync } from "node:child_process";
import { chmodSync, statSync } from "node:fs";
import { openClient } from "./lib/dgram.ts";
import { startJob, stopJob, type Job } from "./lib/job.ts";
import { figure, type StressCase } from "./lib/figures.ts";
import { sleep } from "../helpers.ts";

/** nobody/nogroup: a uid that owns nothing here. */
const OTHER_UID = 65534;
/** Node's default inspector port. */
const INSPECTOR_PORT = 9229;
const JOB = "trap 'echo got USR1' USR1; while :; do sleep 100 & wait $!; done";

/** Sends STOP to the job's socket as OTHER_UID with socat; returns socat's exit code and stderr. */
function sendAsOther(job: Job): { code: number | null; stderr: string } {
  // Only the socket's own mode may stand in the way: open up the directories above it.
  for (const dir of [job.base, `${job.base}/data`, `${job.base}/data/stress`]) chmodSync(dir, 0o755);
  const r = spawnSync("setpriv", [`--reuid=${OTHER_UID}`, `--regid=${OTHER_UID}`, "--clear-groups",
    "socat", "-", `UNIX-SENDTO:${job.sock}`], { input: "STOP\n", encoding: "utf8" });
  return { code: r.status, stderr: r.stderr.trim() };
}

/** TCP listeners (ss -ltnp) that belong to `pid` or sit on the inspector port. */
function listenersOf(pid: number): string[] {
  const out = spawnSync("ss", ["-ltnpH"], { encoding: "utf8" }).stdout;
  return out.split("\n").filter((l) => l.includes(`pid=${pid},`) || l.includes(`:${INSPECTOR_PORT} `));
}

/** Permissions: socket mode, EACCES for another uid (and a 0666 control that lets it through), no inspector. */
export const permissions: StressCase = {
  name: "permissions",
  async run() {
    const job = await startJob(JOB, ["-v"]);
    const mode = statSync(job.sock).mode & 0o777;
    const denied = sendAsOther(job);
    await sleep(200);
    const client = openClient();
    const state = (await client.status(job.sock))?.state;
    process.kill(job.pid, "SIGUSR1");
    await sleep(1000);
    const listeners = listenersOf(job.pid);
    const forwarded = job.corral.stdout().includes("got USR1");
    const end = await stopJob(job);

    const open = await startJob(JOB, ["--socket-mode", "0666"]);
    const allowed = sendAsOther(open);
    const stopped = await (async () => {
      for (let i = 0; i < 100; i++, await sleep(20)) if ((await client.status(open.sock))?.state === "STOPPED") return true;
      return false;
    })();
    await stopJob(open);
    client.close();
    return [
      figure(this.name, `control socket mode ${mode.toString(8).padStart(4, "0")}`, "0600", mode === 0o600),
      figure(this.name, `STOP from uid ${OTHER_UID}: socat exit ${denied.code} "${denied.stderr.replace(/^.*?(Permission denied).*$/s, "$1")}", state ${state}`,
        "EACCES, still RUNNING", denied.code !== 0 && /Permission denied/.test(denied.stderr) && state === "RUNNING"),
      figure(this.name, `control: with --socket-mode 0666 the same send ${allowed.code === 0 && stopped ? "stops the job" : "FAILED"}`,
        "delivered", allowed.code === 0 && stopped),
      figure(this.name, `SIGUSR1: forwarded to the job ${forwarded ? "yes" : "NO"}, corral TCP listeners ${listeners.length} (ss -ltnp)`,
        `0, nothing on ${INSPECTOR_PORT}`, forwarded && listeners.length === 0),
      figure(this.name, `then SIGTERM: exit ${end.code ?? end.signal}`, "exit 0", end.code === 0),
    ];
  },
};
