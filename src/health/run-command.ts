// Runs exec: probes for the wait-until-healthy subcommand, which owns its children
// (under PID 1 the supervisor passes its own runner instead).
import type { Os } from "../os/types.ts";
import { ENOENT } from "../os/types.ts";
import { Reaper } from "../os/reaper.ts";
import { SIGCHLD, SIGKILL } from "../os/signals.ts";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from "../cli/errors.ts";
import { envList } from "../init/run.ts";
import { exitCodeFor } from "../init/machine.ts";
import type { ProbeDeps } from "./exec-probe.ts";

const NO_REMAP: ReadonlySet<number> = new Set();

/**
 * A ProbeDeps that spawns each command in its own process group through a Reaper, and
 * kills the whole group when the probe gives up on it.
 * @example const deps = commandRunner(os); await deps.runCommand(["true"]) // 0
 */
export function commandRunner(os: Os): ProbeDeps {
  const reaper = new Reaper(os);
  os.onSignals([SIGCHLD], () => reaper.reapNow());
  return {
    async runCommand(argv, signal) {
      const child = reaper.spawn({ file: argv[0]!, argv, env: envList(os.env), newGroup: true });
      if ("errno" in child) return child.errno === ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
      const kill = (): void => void os.kill(-child.pid, SIGKILL);
      signal?.addEventListener("abort", kill, { once: true });
      const exit = await child.exited;
      signal?.removeEventListener("abort", kill);
      return exitCodeFor(exit.code, exit.signal, NO_REMAP);
    },
  };
}
