// Control socket latency (issue 3): container-run mode's STOP until the job is gone and
// START until the command runs again, sent as datagrams from this process.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { IN_NAMESPACE, children, during, inScratch, namespaceInit, now, pollUntil } from "../lib/proc.mjs";

const CYCLES = 200;
/** Issue 3: STOP within 10 ms, START within 20 ms (medians). */
const TARGET_STOP_MS = 10;
const TARGET_START_MS = 20;
const POLL_MS = 0.2;
const ANSWER_TIMEOUT_MS = 5000;
const JOB = "bench";
const PROCESS = "sleeper";
/** Exits on SIGTERM (its default action) and execs nothing else: one process to stop. */
const COMMAND = ["sleep", "infinity"];

const unixDgram = createRequire(import.meta.url)("unix-dgram");

export const about =
  `control: corral in container-run mode (\`--base-dir TMP --job-name ${JOB} --process-name ${PROCESS} -- ${COMMAND.join(" ")}\`) ` +
  `as PID 1; the bench sends "STOP\\n" and "START\\n" datagrams (unix-dgram) to TMP/data/${JOB}/${PROCESS}_containerrun.sock, ` +
  `${CYCLES} cycles, one at a time. STOP is done when PID 1 has no child left (/proc/HOSTPID/task/*/children, zombies ` +
  "included, so the job is reaped) and the `.running` file is gone; START when the `.running` file is back (corral " +
  "writes it after the pidfile, once exec has succeeded: its spawn returns after exec). Polled every " +
  `${POLL_MS} ms with a blocking sleep in the bench (no inotify). quarks container-run itself is a Go binary that is ` +
  "neither a Debian nor an npm package, so it is not compared.";

/** STOP and START latencies of one corral, in ms. */
const cycles = (corral) => inScratch("control", (base, log) => {
  const socketPath = join(base, "data", JOB, `${PROCESS}_containerrun.sock`);
  const running = join(base, "data", JOB, `${PROCESS}_containerrun.running`);
  const socket = unixDgram.createSocket("unix_dgram");
  const send = (word) => {
    const since = now();
    socket.send(Buffer.from(`${word}\n`), 0, word.length + 1, socketPath);
    return since;
  };
  const wait = (done, what, since) => pollUntil(done, { what: `${corral.name}: ${what}`, timeoutMs: ANSWER_TIMEOUT_MS, pollMs: POLL_MS, since });
  const argv = [...IN_NAMESPACE, ...corral.argv, "--base-dir", base, "--job-name", JOB, "--process-name", PROCESS, "--", ...COMMAND];
  return during(argv, (run) => {
    wait(() => existsSync(running) && existsSync(socketPath), "the job's first start", now());
    const init = namespaceInit(run.child.pid);
    const stop = [], restart = [];
    for (let i = 0; i < CYCLES; i++) {
      stop.push(wait(() => children(init).length === 0 && !existsSync(running), `STOP number ${i + 1}`, send("STOP")));
      restart.push(wait(() => existsSync(running), `START number ${i + 1}`, send("START")));
    }
    return { stop, restart };
  }, { stdio: log }).finally(() => socket.close());
});

/** Rows for each corral that takes part. */
export default async function control(inits, corrals) {
  const rows = [];
  for (const corral of corrals) {
    const { stop, restart } = await cycles(corral);
    rows.push(
      { measure: "control socket STOP → job gone", subject: corral.name, unit: "ms", samples: stop, target: { max: TARGET_STOP_MS } },
      { measure: "control socket START → command running", subject: corral.name, unit: "ms", samples: restart, target: { max: TARGET_START_MS } },
    );
  }
  return rows;
}
