// The environment and spawn spec of the commands corral starts.
import type { SpawnSpec } from "../os/types.ts";

/**
 * Environment as KEY=VALUE strings for spawn.
 * @example envList({ HOME: "/root", UNSET: undefined }) // ["HOME=/root"]
 */
export function envList(env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/**
 * How corral starts a helper command (a probe's exec:, post-start and its condition): argv[0]
 * looked up in PATH, corral's environment, its own process group (so a cancel reaches all of it).
 * @example helperSpec(["pg_isready"], { PATH: "/usr/bin" }) // { file: "pg_isready", argv: ["pg_isready"], env: ["PATH=/usr/bin"], newGroup: true }
 */
export function helperSpec(argv: string[], env: Record<string, string | undefined>): SpawnSpec {
  return { file: argv[0]!, argv, env: envList(env), newGroup: true };
}
