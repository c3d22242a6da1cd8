// `corral --config FILE|DIR`: the programs of a supervisord-style config, each with a
// control socket when it names a job.
import { resolve } from "node:path";
import type { Flags } from "./flags.ts";
import { UsageError } from "../core/errors.ts";
import { loadConfig } from "../config/load.ts";
import { strictError } from "./check.ts";
import { parseOutputFormat, type OutputFormat } from "../logs/routing.ts";
import { processNameOf } from "../config/program.ts";
import { DEFAULT_RESULT_HANDLER, SUPERVISOR_STDOUT_HANDLER, type Config, type LogTarget, type ProgramSpec } from "../config/types.ts";
import type { InitOptions } from "./options.ts";
import { controlPaths, DEFAULT_BASE_DIR, type ControlPaths } from "../control/paths.ts";
import { parseMode } from "./container-run.ts";
import { DEFAULT_SOCKET_MODE } from "../control/socket.ts";
import { warn } from "../log.ts";
import type { SupervisorPlan } from "./loop.ts";
import { PROGRAM_PORTS } from "./programs.ts";
import { StdinPipes } from "./program-stdin.ts";
import { openListeners } from "./listener-io.ts";
import { FcgiSockets, fcgiPorts } from "./fcgi-sockets.ts";
import { controlEndpoints, serverUrlOf } from "../rpc/endpoints.ts";
import type { SupervisedProgram } from "../core/supervisor.ts";
import type { PoolPlan } from "../core/event-hub.ts";

/** --log-format's value (default text); a UsageError for anything else. */
function logFormatFlag(value: string | undefined): OutputFormat {
  if (value === undefined) return "text";
  const format = parseOutputFormat(value);
  if (!format) throw new UsageError(`--log-format: expected text or json, got "${value}"`);
  return format;
}

/**
 * What supervisord puts in every program's environment, under the program's own environment=:
 * SUPERVISOR_ENABLED, SUPERVISOR_PROCESS_NAME, SUPERVISOR_GROUP_NAME and, when there is a
 * server, SUPERVISOR_SERVER_URL (the program's serverurl=, else `serverUrl`). Listeners
 * written with supervisor.childutils need the last one to call back (getRPCInterface).
 * @example supervisorEnvironment(spec, "unix:///run/supervisor.sock").SUPERVISOR_ENABLED // "1"
 */
export function supervisorEnvironment(spec: ProgramSpec, serverUrl: string | undefined): Record<string, string> {
  const url = spec.serverUrl ?? serverUrl;
  return {
    SUPERVISOR_ENABLED: "1",
    ...(url === undefined ? {} : { SUPERVISOR_SERVER_URL: url }),
    SUPERVISOR_PROCESS_NAME: processNameOf(spec),
    SUPERVISOR_GROUP_NAME: spec.group,
  };
}

/**
 * The supervised programs of a config: critical ones end the container when they die.
 * `serverUrl` is corral's control API (serverUrlOf), for SUPERVISOR_SERVER_URL.
 * @example programsOf(loadConfig(["/etc/corral.conf"], env), false)
 */
export function programsOf(config: Config, logPrefix: boolean, logFormat: OutputFormat = "text", serverUrl?: string): SupervisedProgram<ProgramSpec>[] {
  // [eventlistener:x] processes are supervised as programs are (their pool's priority -1 starts them first).
  return [...config.programs, ...config.listeners.flatMap((l) => l.processes)].map((spec) => ({
    spec: { ...spec, stdout: absoluteTarget(spec.stdout), stderr: absoluteTarget(spec.stderr), logPrefix: spec.logPrefix ?? logPrefix,
      logFormat: spec.logFormat ?? logFormat, environment: { ...supervisorEnvironment(spec, serverUrl), ...spec.environment } },
    ends: spec.critical ? "always" : "never",
  }));
}

/**
 * The event listener pools of a config, with the names of their processes.
 * @example poolsOf(loadConfig(["/etc/corral.conf"], env))[0]!.processes // ["webserver_exit"]
 */
export function poolsOf(config: Config): PoolPlan[] {
  return config.listeners.map((l) => ({
    name: l.name, events: l.events, bufferSize: l.bufferSize, processes: l.processes.map((p) => p.name),
    ...(l.resultHandler === SUPERVISOR_STDOUT_HANDLER ? { printsResults: true } : l.resultHandler !== DEFAULT_RESULT_HANDLER ? { anyResultAcknowledges: true } : {}),
  }));
}

/** A log file named relative to where corral started, made absolute (corral moves to / later). */
function absoluteTarget(target: LogTarget): LogTarget {
  return target.kind === "file" ? { ...target, path: resolve(target.path) } : target;
}

/**
 * Control paths of every program that names a job; a [group:x] member's socket carries its
 * process name without the group (`site:web` → `web_containerrun.sock`), two alike in one job are an error.
 * @example controlsOf(programsOf(config, false), "/var/vcap").get("site:web")!.socket // "/var/vcap/data/JOB/web_containerrun.sock"
 */
export function controlsOf(programs: SupervisedProgram<ProgramSpec>[], base: string): Map<string, ControlPaths> {
  const controls = new Map<string, ControlPaths>();
  const owner = new Map<string, string>();
  for (const { spec } of programs) {
    if (!spec.job) continue;
    const paths = controlPaths(base, spec.job, processNameOf(spec));
    const other = owner.get(paths.socket);
    if (other) throw new UsageError(`${spec.origin}: job=${spec.job}: expected one program per socket, got ${other} and ${spec.name} both at ${paths.socket}`);
    owner.set(paths.socket, spec.name);
    controls.set(spec.name, paths);
  }
  return controls;
}

/**
 * Builds the plan of `corral --config ...`; `reload` re-reads the same files (SIGHUP).
 * @example configPlan(flags, initOptions(flags, []), [], os.env)
 */
export function configPlan(flags: Flags, init: Omit<InitOptions, "command">, command: string[],
  env: Record<string, string | undefined>): SupervisorPlan {
  if (command.length) throw new UsageError(`--config: takes no command, got "${command.join(" ")}"`);
  // Absolute now: SIGHUP re-reads them after corral has moved to /.
  const paths = [resolve(flags.config!)];
  const logPrefix = flags.logPrefix;
  const logFormat = logFormatFlag(flags.logFormat);
  let http: Config["http"] | undefined;
  let serverUrl: string | undefined;
  const load = () => {
    const config = loadConfig(paths, env);
    http ??= config.http;
    const strict = flags.strict ? strictError(config, paths[0]!) : undefined;
    if (strict) throw new UsageError(strict);
    for (const w of config.warnings) warn(w);
    // The first load's servers: a reload does not move them (as supervisord's SIGHUP).
    serverUrl ??= serverUrlOf(controlEndpoints(http, env, flags.controlSocket));
    return { programs: programsOf(config, logPrefix, logFormat, serverUrl), pools: poolsOf(config), pidfile: config.pidfile, tailBytes: config.tailBytes };
  };
  const base = resolve(flags.baseDir ?? DEFAULT_BASE_DIR);
  const first = load();
  const sockets = new FcgiSockets();
  const programs = first.programs;
  // A base image's config ([include] of a conf.d still empty): stay up for SIGHUP to bring programs.
  if (programs.length === 0 && first.pools.length === 0) warn(`${paths[0]}: no programs yet; staying up (add [program:x] sections and send SIGHUP)`);
  if (init.passFds && !programs.some((p) => p.spec.inherit?.includes("listen_fds"))) {
    warn(`corral was given fds 3 to ${2 + init.passFds.count}, but no program has inherit=listen_fds: none receives them`);
  }
  // Every program's stdin is a pipe corral keeps (sendProcessStdin), as under supervisord.
  const stdin = new StdinPipes();
  return {
    programs,
    controls: controlsOf(programs, base),
    socketMode: flags.socketMode ? parseMode("--socket-mode", flags.socketMode) : DEFAULT_SOCKET_MODE,
    // [fcgi-program:x] processes get their pool's socket as fd 0; every other program a stdin pipe.
    ports: fcgiPorts({ ...PROGRAM_PORTS, spawn: stdin.spawn, listeners: openListeners }, sockets),
    // SIGQUIT, SIGTERM and SIGINT: orderly shutdown, as supervisord.
    rules: { rewrites: init.rewrites, remapExit: init.remapExit, graceMs: init.graceMs, quitStops: true },
    pools: first.pools,
    // Resolved now: corral moves to / before writing it.
    ...(first.pidfile ? { pidfile: resolve(first.pidfile) } : {}),
    ...(init.passFds ? { passFds: init.passFds } : {}),
    // Loaded here, when config mode runs: `corral -- cmd` and container-run load no socket code.
    attach: async (os, loop) => {
      // As supervisord, a pool's socket that cannot be made stops corral before anything starts.
      sockets.check(os, programs.map((p) => p.spec));
      const closeApi = await (await import("./control-serve.ts")).serveControlApi(os, loop, {
        http: http!, socket: flags.controlSocket, reread: () => load(), writeStdin: (name, data) => stdin.write(name, data),
        ...(first.tailBytes === undefined ? {} : { tailBytes: first.tailBytes }),
      });
      const notifySocket = env["NOTIFY_SOCKET"];
      const stopNotifying = notifySocket ? (await import("./notify.ts")).notifyManager(os, loop, notifySocket) : undefined;
      return () => {
        stopNotifying?.();
        closeApi();
      };
    },
    reload: () => {
      const next = load();
      return { programs: next.programs, controls: controlsOf(next.programs, base), pools: next.pools };
    },
  };
}
