// Linux signal numbers (x86_64 and arm64 share them) and the sets corral treats alike.

/** Signal numbers by name, without the SIG prefix. */
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18,
  STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26,
  PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
};

/** Highest real-time signal number on Linux. */
export const SIGRTMAX = 64;

/** The signals corral names in code. */
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGUSR2 = 12;
export const SIGPIPE = 13, SIGTERM = 15, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19;
export const SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22;

/** Job-control stops: after forwarding one, a corral that is not PID 1 stops itself. */
export const JOB_CONTROL_STOPS: ReadonlySet<number> = new Set([SIGTSTP, SIGTTIN, SIGTTOU]);

// Not forwarded: KILL/STOP cannot be caught; CHLD drives the reaper. ILL/BUS/FPE/SEGV and
// PIPE are forwarded only when another process sent them (corral.node's relay drops what
// the kernel raised for corral itself), as dumb-init does.
const NOT_FORWARDED = new Set(["KILL", "STOP", "CHLD"]);

/** Every standard signal corral catches and forwards to the job. */
export const FORWARDED: readonly number[] = Object.entries(SIGNALS)
  .filter(([name]) => !NOT_FORWARDED.has(name))
  .map(([, n]) => n);

// Built on first use: the boot bundles this file for FORWARDED and never names a signal.
let names: Map<number, string> | undefined;

/**
 * The conventional name of a signal number.
 * @example signalName(15) // "SIGTERM"; signalName(40) // "SIGRTMIN+6"
 */
export function signalName(signo: number): string {
  names ??= new Map(Object.entries(SIGNALS).map(([name, n]) => [n, `SIG${name}`]));
  return names.get(signo) ?? (signo >= 34 && signo <= SIGRTMAX ? `SIGRTMIN+${signo - 34}` : `signal ${signo}`);
}

/**
 * Parses "TERM", "SIGTERM", "term", "15" or "RTMIN+2" into a signal number;
 * `undefined` when it names no signal. `allowZero` accepts "0" (dumb-init's "drop").
 * @example parseSignal("SIGUSR1") // 10
 */
export function parseSignal(text: string, allowZero = false): number | undefined {
  const t = text.trim().toUpperCase().replace(/^SIG/, "");
  if (/^\d+$/.test(t)) {
    const n = Number(t);
    if (n === 0) return allowZero ? 0 : undefined;
    return n >= 1 && n <= SIGRTMAX && n !== 32 && n !== 33 ? n : undefined;
  }
  const rt = /^RTM(IN|AX)(?:([+-])(\d+))?$/.exec(t);
  if (rt) {
    const base = rt[1] === "IN" ? 34 : SIGRTMAX;
    const n = base + (rt[2] === "-" ? -1 : 1) * Number(rt[3] ?? 0);
    return n >= 34 && n <= SIGRTMAX ? n : undefined;
  }
  return SIGNALS[t === "IOT" ? "ABRT" : t === "POLL" ? "IO" : t];
}
