// The descriptors corral passes on, counted from fd 3: socket activation's LISTEN_FDS (when
// LISTEN_PID is corral's pid or unset) and --preserve-fds N, added up as crun adds them.
import { UsageError } from "../core/errors.ts";
import { firstNotGiven } from "../os/given-fds.ts";
import type { Os } from "../os/types.ts";

/** What a job or an inherit=listen_fds program gets: fds 3 .. 2+count, and LISTEN_PID=its pid when LISTEN_FDS was corral's. */
export interface PassedFds {
  count: number;
  listenPid: boolean;
}

/**
 * Parses a count of descriptors; a UsageError naming `what` otherwise.
 * @example fdCount("--preserve-fds", "2") // 2
 */
export function fdCount(what: string, text: string): number {
  if (!/^\d{1,6}$/.test(text.trim())) throw new UsageError(`${what}: expected a number of descriptors, got "${text}"`);
  return Number(text);
}

/**
 * The descriptors corral was given to pass on, checked: every one of them must be open and not
 * its runtime's own (a UsageError says which is not, and why). Undefined when there are none.
 * `preserveFds` is --preserve-fds's value (or CORRAL_PRESERVE_FDS).
 * @example passedFds(os, "2") // { count: 2, listenPid: false } when fds 3 and 4 were passed
 */
export function passedFds(os: Os, preserveFds: string | undefined): PassedFds | undefined {
  const preserve = preserveFds === undefined ? 0 : fdCount("--preserve-fds", preserveFds);
  const { LISTEN_FDS: fds, LISTEN_PID: pid } = os.env;
  // Another pid's (a parent that did not clear them): not corral's to pass on.
  const ours = fds !== undefined && (!pid || pid.trim() === String(os.pid));
  const listen = ours ? fdCount("LISTEN_FDS", fds) : 0;
  const count = listen + preserve;
  if (count === 0) return undefined;
  const problem = firstNotGiven(os, count);
  if (problem) {
    const given = [listen ? `LISTEN_FDS=${listen}` : "", preserve ? `--preserve-fds ${preserve}` : ""].filter(Boolean).join(" and ");
    throw new UsageError(`${given}: expected fds 3 to ${2 + count} to be open when corral starts, but ${problem}`);
  }
  return { count, listenPid: listen > 0 };
}
