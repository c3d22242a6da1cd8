// The environment and spawn spec of the commands corral starts.
import type { SpawnSpec } from "../os/types.ts";

/**
 * Environment as KEY=VALUE strings for spawn.
 * @example envList({ HOME: "/root", UNSET: undefined }) // ["HOME=/root"]
 */
export function envList(env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/** Socket activation's variables (sd_listen_fds(3)): only what receives the descriptors gets these. */
export const LISTEN_VARIABLES: readonly string[] = ["LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"];
/** The service manager's variables (sd_notify(3), sd_listen_fds(3)): the job's or a named program's, never a helper's. */
export const MANAGER_VARIABLES: readonly string[] = ["NOTIFY_SOCKET", ...LISTEN_VARIABLES];

/**
 * How corral starts a helper command (a probe's exec:, post-start and its condition): argv[0]
 * looked up in PATH, corral's environment but the service manager's variables (a probe must not
 * say READY=1 for corral), its own process group (so a cancel reaches all of it).
 * @example helperSpec(["pg_isready"], { PATH: "/usr/bin" }) // { file: "pg_isready", argv: ["pg_isready"], env: ["PATH=/usr/bin"], newGroup: true }
 */
export function helperSpec(argv: string[], env: Record<string, string | undefined>): SpawnSpec {
  return { file: argv[0]!, argv, env: envList(env).filter((kv) => !MANAGER_VARIABLES.includes(kv.slice(0, kv.indexOf("=")))), newGroup: true };
}
