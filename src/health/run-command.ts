// Runs exec: probes' commands, for wait-until-healthy (which owns its children) and for
// ready= under PID 1 (through the init's reaper).
import type { Os } from "../os/types.ts";
import { Reaper } from "../os/reaper.ts";
import { SIGCHLD, SIGKILL } from "../os/signals.ts";
import { envList } from "../core/env.ts";
import { codeOf, execFailureCode } from "../core/exit-codes.ts";
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
      if ("errno" in child) return execFailureCode(child.errno);
      const kill = (): void => void os.kill(-child.pid, SIGKILL);
      signal?.addEventListener("abort", kill, { once: true });
      const exit = await child.exited;
      signal?.removeEventListener("abort", kill);
      return codeOf(exit);
    },
  };
}
