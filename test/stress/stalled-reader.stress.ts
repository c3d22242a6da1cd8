// Stalled log reader: children write straight to corral's stdout (inherited). A reader that
// stops must block only the children, never corral; a reader that goes away (EPIPE) must not
// take corral down.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { controlPaths } from "../../src/control/paths.ts";
import { openClient } from "./lib/dgram.ts";
import { startJob, stopJob, type Job } from "./lib/job.ts";
import { eventually, exists } from "./lib/proc.ts";
import { figure, seconds, sized, type Figure, type Scale, type StressCase } from "./lib/figures.ts";
import { corralPid, sleep, start } from "../helpers.ts";

const STALL_MS = { full: 10_000, short: 2_000 };
/** --stop-grace of the job: SIGTERM must have stopped everything within it. */
const STOP_GRACE_SECONDS = 10;
/** A STATUS answer slower than this during the stall would mean corral's loop is blocked. */
const STATUS_LIMIT_MS = 1000;
/** Two loggers as fast as the pipe takes it; the main process waits. */
const LOGGERS = `for i in 1 2; do (while :; do echo "logger $i: $(printf '%0100d' 0)"; done) & done; while :; do sleep 100 & wait $!; done`;
/** The same, but the loggers ignore SIGPIPE and carry on after EPIPE (as a long-lived service would). */
const STUBBORN = `for i in 1 2; do (trap '' PIPE; while :; do echo "logger $i" 2>/dev/null; sleep 0.01; done) & done; while :; do sleep 100 & wait $!; done`;

/** How the children's output reaches corral's stdout. */
type Output = "inherited" | "log_prefix";

/**
 * Starts `script` with its output inherited (container-run mode) or through corral's
 * prefixer (`--config` with log_prefix=true); both answer STATUS on a control socket.
 */
async function startWith(output: Output, script: string): Promise<Job> {
  if (output === "inherited") return startJob(script, ["-v", "--stop-grace", String(STOP_GRACE_SECONDS)]);
  const base = mkdtempSync(join(tmpdir(), "corral-stress-"));
  const [config, file] = [join(base, "logs.conf"), join(base, "job.sh")];
  writeFileSync(file, script);
  writeFileSync(config, `[program:main]\ncommand=bash ${file}\nlog_prefix=true\njob=stress\nstartsecs=0\nstopwaitsecs=${STOP_GRACE_SECONDS}\n`);
  const corral = start(["-v", "--base-dir", base, "--config", config]);
  const paths = controlPaths(base, "stress", "main");
  return { base, corral, pid: await corralPid(corral), sock: paths.socket, running: paths.running, pidfile: paths.pidfile };
}

/** Stalled reader: STATUS answers during the stall, SIGTERM ends all within the grace; EPIPE leaves corral up. */
export const stalledReader: StressCase = {
  name: "stalled log reader",
  async run(scale) {
    return [...await stalled(scale, "inherited"), ...await stalled(scale, "log_prefix")];
  },
};

async function stalled(scale: Scale, output: Output): Promise<Figure[]> {
  const name = `stalled log reader (${output})`;
  const stallMs = sized(scale, STALL_MS);
  const client = openClient();

  const job = await startWith(output, LOGGERS);
  await job.corral.waitFor("logger 2");
  job.corral.child.stdout!.pause();
  const t0 = Date.now();
  let slowest = 0, answered = 0, asked = 0;
  while (Date.now() - t0 < stallMs) {
    const s0 = Date.now();
    asked++;
    if ((await client.status(job.sock))?.state === "RUNNING") answered++;
    slowest = Math.max(slowest, Date.now() - s0);
    await sleep(200);
  }
  const t1 = Date.now();
  process.kill(job.pid, "SIGTERM");
  const gone = await eventually(() => !exists(job.pid), STOP_GRACE_SECONDS * 1000 + 5000);
  const stopMs = Date.now() - t1;
  job.corral.child.stdout!.resume();
  const end = await stopJob(job);

  const epipe = await startWith(output, STUBBORN);
  await epipe.corral.waitFor("logger 2");
  epipe.corral.child.stdout!.destroy();
  await sleep(sized(scale, { full: 3000, short: 1000 }));
  const after = await client.status(epipe.sock);
  const lives = exists(epipe.pid) && after?.state === "RUNNING";
  const epipeEnd = await stopJob(epipe);
  client.close();
  return [
    figure(name, `stdout unread for ${seconds(stallMs)}: ${answered}/${asked} STATUS answered, slowest ${slowest} ms`,
      `all, < ${STATUS_LIMIT_MS} ms`, answered === asked && slowest < STATUS_LIMIT_MS),
    figure(name, `SIGTERM while stalled: corral and children gone after ${seconds(stopMs)}, exit ${end.code ?? end.signal}`,
      `< ${STOP_GRACE_SECONDS} s, exit 0`, gone && stopMs < STOP_GRACE_SECONDS * 1000 && end.code === 0),
    figure(name, `stdout closed (EPIPE): corral ${lives ? "up, RUNNING" : "DOWN"}, then SIGTERM exit ${epipeEnd.code ?? epipeEnd.signal}`,
      "up, exit 0", lives && epipeEnd.code === 0),
  ];
}
