// The subcommands' names, apart from their code: the build also hands them to the boot, which
// needs them before the application is compiled (src/os/early-signals.ts).

/**
 * `corral NAME ...` runs subcommand NAME (a program of that name: `corral -- NAME`).
 * @example SUBCOMMAND_NAMES.includes("ctl") // true
 */
export const SUBCOMMAND_NAMES = ["ctl", "bpm", "pidfile", "wait-until-healthy"] as const;

/** One of SUBCOMMAND_NAMES. */
export type SubcommandName = (typeof SUBCOMMAND_NAMES)[number];
