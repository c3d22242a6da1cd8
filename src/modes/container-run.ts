// container-run mode: one job process (plus post-start) under a control socket.
import { resolve } from "node:path";
import type { Flags } from "./flags.ts";
import { UsageError } from "../core/errors.ts";
import { SIGTERM } from "../os/signals.ts";
import type { ProgramSpec } from "../config/types.ts";
import type { SupervisorPlan } from "./loop.ts";
import { PROGRAM_PORTS } from "./programs.ts";
import type { InitOptions } from "./options.ts";
import { parseSeconds } from "./options.ts";
import { controlPaths, DEFAULT_BASE_DIR } from "../control/paths.ts";
import { DEFAULT_SOCKET_MODE } from "../control/socket.ts";

/** STOP's grace before SIGKILL, as container-run. */
export const DEFAULT_STOP_GRACE_SECONDS = 20;

/**
 * Parses an octal file mode ("0600", "660").
 * @example parseMode("--socket-mode", "0660") // 0o660
 */
export function parseMode(flag: string, text: string): number {
  if (!/^0?[0-7]{3}$/.test(text.trim())) throw new UsageError(`${flag}: expected an octal mode like 0600, got "${text}"`);
  return parseInt(text, 8);
}

/**
 * Builds the supervisor plan of `corral --job-name JOB [--process-name PROC] ... -- CMD`.
 * @example containerRunPlan(flags, initOptions(flags, ["nginx"])) // one program, one socket
 */
export function containerRunPlan(flags: Flags, init: InitOptions): SupervisorPlan {
  const job = flags.jobName;
  if (!job) throw new UsageError("--job-name: required in container-run mode");
  const process = flags.processName ?? job;
  const base = resolve(flags.baseDir ?? DEFAULT_BASE_DIR);
  const paths = controlPaths(base, job, process);
  const stopGrace = parseSeconds("--stop-grace", flags.stopGrace ?? String(DEFAULT_STOP_GRACE_SECONDS));
  const spec: ProgramSpec = {
    name: process, group: job, command: init.command, priority: 0, autostart: true,
    autorestart: "false", startsecs: 0, startretries: 0, exitcodes: [0], stopsignal: SIGTERM,
    // The job is stopped as a whole (its own process group), as before supervisord's stopasgroup existed here.
    stopwaitsecs: stopGrace / 1000, stopasgroup: true, killasgroup: true, environment: {}, redirectStderr: false,
    stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, job, dependsOn: [], origin: "command line",
    // The one job: it gets what `corral -- CMD`'s job gets.
    inherit: ["listen_fds", "notify_socket"],
  };
  const postName = flags.postStartName;
  const conditionName = flags.postStartConditionName;
  if (!postName && conditionName) throw new UsageError("--post-start-condition-name: needs --post-start-name");
  const plan: SupervisorPlan = {
    programs: [{ spec, ends: flags.exitOnZero ? "always" : "on-failure" }],
    controls: new Map([[process, paths]]),
    socketMode: flags.socketMode ? parseMode("--socket-mode", flags.socketMode) : DEFAULT_SOCKET_MODE,
    rules: { rewrites: init.rewrites, remapExit: init.remapExit, graceMs: init.graceMs },
    stdinFor: process,
    ports: PROGRAM_PORTS,
    ...(init.passFds ? { passFds: init.passFds } : {}),
  };
  if (postName) {
    plan.postStart = {
      program: process,
      spec: {
        command: [postName, ...flags.postStartArg],
        ...(conditionName ? { condition: [conditionName, ...flags.postStartConditionArg] } : {}),
      },
    };
  }
  return plan;
}
