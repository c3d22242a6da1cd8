// Runs exec: probes' commands, for wait-until-healthy (which owns its children) and for
// ready= under PID 1 (through the init's reaper).
import type { Os } from "../os/types.ts";
import { ENOENT } from "../os/types.ts";
import { Reaper } from "../os/reaper.ts";
import { SIGCHLD, SIGKILL } from "../os/signals.ts";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from "../cli/errors.ts";
import { envList } from "../init/run.ts";
import { codeOf } from "../supervisor/supervisor.ts";
import type { ProbeDeps } from "./exec-probe.ts";

/**
 * A ProbeDeps for a process that owns its children: its own Reaper, fed by SIGCHLD.
 * @example const deps = commandRunner(os); await deps.runCommand(["true"]) // 0
 */
export function commandRunner(os: Os): ProbeDeps {
  const reaper = new Reaper(os);
  os.onSignals([SIGCHLD], () => reaper.reapNow());
  return reaperRunner(os, reaper);
}

/**
 * A ProbeDeps that spawns each command in its own process group through `reaper` (under
 * PID 1, the init's), and kills the whole group when the probe gives up on it.
 * @example await reaperRunner(os, pid1.reaper).runCommand(["pg_isready"]) // its exit code
 */
export function reaperRunner(os: Os, reaper: Reaper): ProbeDeps {
  return {
    async runCommand(argv, signal) {
      const child = reaper.spawn({ file: argv[0]!, argv, env: envList(os.env), newGroup: true });
      if ("errno" in child) return child.errno === ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE;
      const kill = (): void => void os.kill(-child.pid, SIGKILL);
      signal?.addEventListener("abort", kill, { once: true });
      const exit = await child.exited;
      signal?.removeEventListener("abort", kill);
      return codeOf(exit);
    },
  };
}
