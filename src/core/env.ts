// The environment as spawn wants it.

/**
 * Environment as KEY=VALUE strings for spawn.
 * @example envList({ HOME: "/root", UNSET: undefined }) // ["HOME=/root"]
 */
export function envList(env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}
