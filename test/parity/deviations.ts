// Where corral's config loader differs from supervisord's on purpose: a generated config that
// exercises one of these rows may differ; any other difference fails the parity tests.
// docs/configuration.md ("Deliberate differences") gives the same rows to users.

/** One row: why corral differs, and how to tell that a config's main file exercises it. */
export interface Deviation {
  reason: string;
  applies(main: string): boolean;
}

/** Row id → the deviation. */
export const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  "no-supervisord-section": {
    reason: "supervisord refuses a config without [supervisord]; corral runs it (a conf.d directory of [program:x] fragments, a base image's config)",
    applies: (main) => !/^\s*\[supervisord\]/m.test(main),
  },
  "numprocs-below-one": {
    reason: "numprocs=0 (or less): supervisord keeps an empty group of that name; corral runs no process and lists no group",
    applies: (main) => /^\s*numprocs\s*[=:]\s*(-|\+?0+(\s|$))/im.test(main),
  },
};

/**
 * The rows a config exercises (its files' text, joined).
 * @example deviationsOf("[program:a]\ncommand=x\n") // ["no-supervisord-section"]
 */
export function deviationsOf(main: string): string[] {
  return Object.entries(DEVIATIONS).filter(([, d]) => d.applies(main)).map(([id]) => id);
}
