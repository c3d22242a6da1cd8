// Subcommands: loaded only when asked for, so the PID-1 path stays lean.
import type { Os } from "../os/types.ts";
import type { SubcommandName } from "./names.ts";

/** A subcommand's entry: gets the arguments after its name, resolves to an exit code. */
export type SubcommandMain = (os: Os, args: string[]) => Promise<number>;

/** Subcommands by name (every one of names.ts, no other); `corral NAME ...` (a program with such a name: `corral -- NAME`). */
export const SUBCOMMANDS: Readonly<Record<SubcommandName, () => Promise<SubcommandMain>>> = {
  ctl: async () => (await import("./ctl.ts")).ctlMain,
  bpm: async () => (await import("./bpm.ts")).bpmMain,
  pidfile: async () => (await import("./pidfile.ts")).pidfileMain,
  "wait-until-healthy": async () => (await import("./wait-until-healthy.ts")).waitUntilHealthyMain,
};

/** sipid's own spelling (`sipid claim|kill|wait-until-healthy ...`), mapped onto corral's;
 * any other verb goes to `pidfile`, which answers with sipid's usage.
 * @example sipidArgs(["claim", "-pid", "7", "-pid-file", "/run/x.pid"]) // ["pidfile", "claim", "-pid", "7", "-pid-file", "/run/x.pid"]
 */
export function sipidArgs(args: string[]): string[] {
  const [verb, ...rest] = args;
  if (verb === "wait-until-healthy") return args;
  return ["pidfile", ...(verb === undefined ? [] : [verb]), ...rest];
}
