// `corral --config FILE|DIR`: the programs of a supervisord-style config, each with a
// control socket when it names a job.
import { resolve } from "node:path";
import type { FlagValues } from "../cli/options.ts";
import { UsageError } from "../cli/errors.ts";
import { loadConfig } from "../config/load.ts";
import type { Config, LogTarget } from "../config/types.ts";
import type { InitOptions } from "../init/options.ts";
import { controlPaths, DEFAULT_BASE_DIR, type ControlPaths } from "../control/paths.ts";
import { parseMode } from "../control/container-run.ts";
import { DEFAULT_SOCKET_MODE } from "../control/socket.ts";
import { warn } from "../log.ts";
import type { SupervisorPlan } from "./run.ts";
import type { SupervisedProgram } from "./supervisor.ts";
import { parseOutputFormat, type OutputFormat } from "../logs/routing.ts";

/** --log-format's value (default text); a UsageError for anything else. */
function logFormatFlag(value: FlagValues[string]): OutputFormat {
  if (value === undefined) return "text";
  const format = typeof value === "string" ? parseOutputFormat(value) : undefined;
  if (!format) throw new UsageError(`--log-format: expected text or json, got "${String(value)}"`);
  return format;
}

/**
 * The supervised programs of a config: critical ones end the container when they die.
 * @example programsOf(loadConfig(["/etc/corral.conf"], env))
 */
export function programsOf(config: Config, logPrefix: boolean, logFormat: OutputFormat = "text"): SupervisedProgram[] {
  return config.programs.map((spec) => ({
    spec: { ...spec, stdout: absoluteTarget(spec.stdout), stderr: absoluteTarget(spec.stderr), logPrefix: spec.logPrefix ?? logPrefix,
      logFormat: spec.logFormat ?? logFormat },
    ends: spec.critical ? "always" : "never",
  }));
}

/** A log file named relative to where corral started, made absolute (corral moves to / later). */
function absoluteTarget(target: LogTarget): LogTarget {
  return target.kind === "file" ? { ...target, path: resolve(target.path) } : target;
}

/** Control paths of every program that names a job. */
export function controlsOf(programs: SupervisedProgram[], base: string): Map<string, ControlPaths> {
  return new Map(programs.flatMap(({ spec }) => (spec.job ? [[spec.name, controlPaths(base, spec.job, spec.name)] as const] : [])));
}

/**
 * Builds the plan of `corral --config ...`; `reload` re-reads the same files (SIGHUP).
 * @example configPlan(flags, options, process.env)
 */
export function configPlan(flags: FlagValues, init: Omit<InitOptions, "command">, command: string[],
  env: Record<string, string | undefined>): SupervisorPlan {
  if (command.length) throw new UsageError(`--config: takes no command, got "${command.join(" ")}"`);
  // Absolute now: SIGHUP re-reads them after corral has moved to /.
  const paths = [resolve(flags["config"] as string)];
  const logPrefix = flags["log-prefix"] === true;
  const logFormat = logFormatFlag(flags["log-format"]);
  const load = () => {
    const config = loadConfig(paths, env);
    for (const w of config.warnings) warn(w);
    return programsOf(config, logPrefix, logFormat);
  };
  const base = resolve((flags["base-dir"] as string | undefined) ?? DEFAULT_BASE_DIR);
  const programs = load();
  return {
    programs,
    controls: controlsOf(programs, base),
    socketMode: flags["socket-mode"] ? parseMode("--socket-mode", flags["socket-mode"] as string) : DEFAULT_SOCKET_MODE,
    rules: { rewrites: init.rewrites, remapExit: init.remapExit, graceMs: init.graceMs },
    reload: () => {
      const next = load();
      return { programs: next, controls: controlsOf(next, base) };
    },
  };
}
