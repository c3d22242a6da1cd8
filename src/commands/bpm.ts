// `corral bpm VERB JOB [-p PROC]`: the verbs of container-run's bpm shim, without bash or nc.
import mri from "mri";
import { existsSync, readFileSync } from "node:fs";
import type { Os } from "../os/types.ts";
import { UsageError } from "../core/errors.ts";
import { controlPaths, DEFAULT_BASE_DIR } from "../control/paths.ts";
import { sendCommand } from "./client.ts";

/** How long `bpm stop` waits for the `.running` file to go, as the shim does. */
export const BPM_STOP_WAIT_MS = 30_000;
const POLL_MS = 100;

const USAGE = `Usage: corral bpm start|stop|term|quit|pid|running JOB [-p PROC] [--base-dir DIR]
  start    send START                 stop   send STOP, wait up to 30 s until stopped
  term     send STOP, do not wait     quit   send QUIT (SIGQUIT to the job)
  pid      print the job's pid        running  exit 0 if running, 1 if not
`;

/**
 * Entry point for `corral bpm ...`.
 * @example await bpmMain(os, ["stop", "web", "-p", "nginx"]) // corral bpm stop web -p nginx: 0 once stopped
 */
export async function bpmMain(os: Os, args: string[]): Promise<number> {
  let unknown: string | undefined;
  const flags = mri(args, {
    string: ["p", "process", "base-dir"], boolean: ["help"],
    alias: { p: ["process"], "base-dir": [], help: ["h"] },
    unknown: (f) => { unknown = f; },
  });
  if (unknown) throw new UsageError(`unknown option ${unknown} (see corral bpm --help)`);
  const [verb, job] = flags._.map(String);
  if (flags["help"]) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!verb || !job) throw new UsageError("expected VERB JOB (see corral bpm --help)");
  const base = (flags["base-dir"] as string | undefined) ?? os.env["CORRAL_BASE_DIR"] ?? DEFAULT_BASE_DIR;
  const paths = controlPaths(base, job, (flags["p"] as string | undefined) || job);
  const send = async (command: "START" | "STOP" | "QUIT") => {
    const err = await sendCommand(os, paths.socket, command);
    if (err !== 0) process.stderr.write(`corral bpm: ${paths.socket}: not reachable (errno ${-err})\n`);
    return err === 0 ? 0 : 1;
  };
  switch (verb) {
    case "start": return send("START");
    case "term": return send("STOP");
    case "quit": return send("QUIT");
    case "stop": {
      if ((await send("STOP")) !== 0) return 1;
      const deadline = Date.now() + BPM_STOP_WAIT_MS;
      while (existsSync(paths.running)) {
        if (Date.now() > deadline) {
          process.stderr.write(`corral bpm: ${job}/${paths.process} still running after ${BPM_STOP_WAIT_MS / 1000} s\n`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      return 0;
    }
    case "pid":
      try {
        process.stdout.write(`${readFileSync(paths.pidfile, "utf8").trim()}\n`);
        return 0;
      } catch {
        process.stderr.write(`corral bpm: no pidfile ${paths.pidfile}\n`);
        return 1;
      }
    case "running": return existsSync(paths.running) ? 0 : 1;
    default: throw new UsageError(`expected start, stop, term, quit, pid or running, got "${verb}"`);
  }
}
