// supervisord's process names: `NAME`, `GROUP:NAME`, `GROUP:*` (options.py split/make_namespec).

/**
 * Splits a name as supervisord does: `web` is group web, process web; `g:*` and `g:` are the whole group (process undefined).
 * @example splitName("workers:*") // { group: "workers", process: undefined }
 */
export function splitName(name: string): { group: string; process: string | undefined } {
  const colon = name.indexOf(":");
  if (colon < 0) return { group: name, process: name };
  const process = name.slice(colon + 1);
  return { group: name.slice(0, colon), process: process === "" || process === "*" ? undefined : process };
}

/**
 * The short name of a process: its own name when it equals its group's, else `GROUP:NAME`.
 * @example makeName("workers", "workers_0") // "workers:workers_0"
 */
export function makeName(group: string, process: string): string {
  return group === process ? process : `${group}:${process}`;
}
