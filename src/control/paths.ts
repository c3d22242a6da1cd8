// Where container-run keeps its socket and files, below a base dir (/var/vcap by default).
import { join } from "node:path";
import { UsageError } from "../core/errors.ts";

/** container-run's base directory. */
export const DEFAULT_BASE_DIR = "/var/vcap";
/** Suffix find(1) loops look for. */
export const SOCKET_SUFFIX = "_containerrun.sock";

/** The three paths of one job process. */
export interface ControlPaths {
  job: string;
  process: string;
  socket: string;
  running: string;
  pidfile: string;
}

/**
 * The socket, `.running` marker and pidfile of JOB/PROC below `base`.
 * @example controlPaths("/var/vcap", "web", "nginx").socket // "/var/vcap/data/web/nginx_containerrun.sock"
 */
export function controlPaths(base: string, job: string, process: string): ControlPaths {
  for (const [what, name] of [["job name", job], ["process name", process]] as const) {
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name === "." || name === "..") {
      throw new UsageError(`${what} "${name}": expected letters, digits, '.', '_' or '-'`);
    }
  }
  return {
    job,
    process,
    socket: join(base, "data", job, `${process}${SOCKET_SUFFIX}`),
    running: join(base, "data", job, `${process}_containerrun.running`),
    pidfile: join(base, "sys/run/bpm", job, `${process}.pid`),
  };
}
