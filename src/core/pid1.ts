// The PID-1 state machine: events in, actions out. Pure, so tests need no processes.
import { JOB_CONTROL_STOPS, SIGCONT, SIGSTOP, SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM, SIGUSR2, signalName } from "../os/signals.ts";
import { exitCodeFor } from "./exit-codes.ts";

export { exitCodeFor };

/** Something that happened to corral. */
export type InitEvent =
  | { type: "signal"; signo: number }
  /** The job is over: the command exited, or the supervisor decided to end with `code`. */
  | { type: "job-done"; code: number; signal: number }
  /** A child nobody waited for (an adopted orphan) was reaped. */
  | { type: "orphan-reaped"; pid: number }
  | { type: "no-children" }
  | { type: "grace-expired" };

/** Something corral must do. */
export type InitAction =
  | { type: "forward"; signo: number }
  /** Supervised runs: stop every program in order (the first SIGTERM/SIGINT). */
  | { type: "stop-programs" }
  /** Supervised runs with a config: re-read it (SIGHUP). */
  | { type: "reload" }
  /** Supervised runs with a config: reopen the log files corral writes (SIGUSR2, as supervisord). */
  | { type: "reopen-logs" }
  | { type: "signal-all"; signo: number }
  | { type: "arm-grace"; ms: number }
  /** Stop corral itself (SIGSTOP), as a shell expects of a job that got SIGTSTP/TTIN/TTOU. */
  | { type: "stop-self" }
  | { type: "exit"; code: number }
  | { type: "log"; level: 0 | 1 | 2; message: string };

/** running: the job lives; stopping: a supervisor stops its programs (first SIGTERM);
 * draining: the job is over, the rest got SIGTERM; killing: SIGKILL sent. */
export type Phase = "running" | "stopping" | "draining" | "killing" | "exited";

/** The whole state of the PID-1 layer. */
export interface InitState {
  phase: Phase;
  exitCode: number;
  /** Whether the job's end was seen (its code is then `exitCode`). */
  jobDone: boolean;
  /** Whether corral last forwarded SIGSTOP (a job-control stop rewritten) and no SIGCONT since. */
  jobStopped: boolean;
}

/** Rules the machine applies; fixed for the life of the process. */
export interface InitRules {
  rewrites: ReadonlyMap<number, number>;
  remapExit: ReadonlySet<number>;
  graceMs: number;
  /** Whether corral may stop itself on job-control signals: only when it is not PID 1. */
  stopsSelf: boolean;
  /** The job is a supervisor: SIGTERM/SIGINT stop its programs in order instead of being forwarded. */
  supervised?: boolean;
  /** SIGHUP re-reads the config (supervised runs with a config file). */
  reloadable?: boolean;
  /** SIGQUIT too stops the programs in order, as supervisord (config mode); else it is forwarded. */
  quitStops?: boolean;
}

/** The rules a mode chooses; `stopsSelf` follows from corral's pid. */
export type ModeRules = Omit<InitRules, "stopsSelf" | "supervised" | "reloadable">;

/**
 * Starts the machine with the job running.
 * @example step(initialState(), { type: "signal", signo: 15 }, rules) // forwards SIGTERM
 */
export function initialState(): InitState {
  return { phase: "running", exitCode: 0, jobDone: false, jobStopped: false };
}

/**
 * Applies one event; returns the next state and what to do.
 * @example step(initialState(), { type: "signal", signo: 15 }, rules) // forwards SIGTERM
 */
export function step(state: InitState, event: InitEvent, rules: InitRules): [InitState, InitAction[]] {
  switch (event.type) {
    case "signal":
      return onSignal(state, event.signo, rules);
    case "job-done":
      return onJobDone(state, event, rules);
    case "orphan-reaped":
      return [state, [{ type: "log", level: 2, message: `reaped process ${event.pid}` }]];
    case "no-children":
      if (state.phase === "draining" || state.phase === "killing") {
        return [{ ...state, phase: "exited" }, [{ type: "exit", code: state.exitCode }]];
      }
      return [state, []];
    case "grace-expired":
      if (state.phase !== "draining") return [state, []];
      return [{ ...state, phase: "killing" }, [
        { type: "log", level: 0, message: `grace period over: sending SIGKILL to the processes still running` },
        { type: "signal-all", signo: SIGKILL },
      ]];
  }
}

/** Signals that ask corral to stop; a second one while stopping means "now". */
const STOP_REQUESTS: ReadonlySet<number> = new Set([SIGTERM, SIGINT]);

function onSignal(state: InitState, signo: number, rules: InitRules): [InitState, InitAction[]] {
  if (state.phase === "running" && rules.supervised) {
    if (signo === SIGHUP && rules.reloadable) return [state, [{ type: "reload" }]];
    if (signo === SIGUSR2 && rules.reloadable) return [state, [{ type: "reopen-logs" }, { type: "log", level: 1, message: "SIGUSR2: log files reopened" }]];
    if (STOP_REQUESTS.has(signo) || (rules.quitStops && signo === SIGQUIT)) {
      return [{ ...state, phase: "stopping" }, [
        { type: "log", level: 1, message: `${signalName(signo)}: stopping all programs` },
        { type: "stop-programs" },
      ]];
    }
  }
  // A second stop request while stopping or draining means "now": skip the rest of the grace period.
  // As supervisord, a SIGQUIT while stopping asks for what is already under way (a listener
  // script may send one per event): the stop goes on.
  if (state.phase === "stopping" && rules.quitStops && signo === SIGQUIT) {
    return [state, [{ type: "log", level: 1, message: `SIGQUIT: already stopping` }]];
  }
  if ((state.phase === "stopping" && STOP_REQUESTS.has(signo)) ||
    (state.phase === "draining" && (STOP_REQUESTS.has(signo) || signo === SIGQUIT))) {
    return [{ ...state, phase: "killing" }, [
      { type: "log", level: 1, message: `${signalName(signo)} during shutdown: sending SIGKILL now` },
      { type: "signal-all", signo: SIGKILL },
    ]];
  }
  if (state.phase === "running" || state.phase === "stopping") {
    const to = rules.rewrites.get(signo) ?? signo;
    const actions: InitAction[] = to === 0 ?
      [{ type: "log", level: 2, message: `dropped ${signalName(signo)} (rewrite)` }] :
      [{ type: "forward", signo: to },
        { type: "log", level: 2, message: `forwarded ${signalName(signo)}${to === signo ? "" : ` as ${signalName(to)}`}` }];
    // A job corral stopped (SIGTSTP rewritten to SIGSTOP) would hold a forwarded SIGTERM/SIGINT
    // until resumed: resume it, so `docker stop` ends a stopped job as it ends a running one.
    let jobStopped = to === SIGSTOP ? true : to === SIGCONT ? false : state.jobStopped;
    if (jobStopped && STOP_REQUESTS.has(to)) {
      actions.push({ type: "forward", signo: SIGCONT });
      jobStopped = false;
    }
    // As dumb-init: a job-control stop (as received, before rewriting) also stops corral, so
    // ^Z and `fg` work on `corral -- cmd` in a shell; the SIGCONT that resumes it is forwarded.
    if (rules.stopsSelf && JOB_CONTROL_STOPS.has(signo)) actions.push({ type: "stop-self" });
    return [{ ...state, jobStopped }, actions];
  }
  return [state, [{ type: "log", level: 2, message: `ignored ${signalName(signo)} during shutdown` }]];
}

function onJobDone(state: InitState, done: { code: number; signal: number }, rules: InitRules): [InitState, InitAction[]] {
  if (state.jobDone) return [state, []];
  const exitCode = exitCodeFor(done.code, done.signal, rules.remapExit);
  // Killed at once (a second SIGTERM while programs stopped): the code still counts.
  if (state.phase === "killing") return [{ ...state, exitCode, jobDone: true }, []];
  const how = done.code >= 0 ? `ended with code ${done.code}` : `was killed by ${signalName(done.signal)}`;
  return [{ ...state, phase: "draining", exitCode, jobDone: true }, [
    { type: "log", level: 1, message: `job ${how}; corral will exit ${exitCode}` },
    { type: "signal-all", signo: SIGTERM },
    // A stopped process acts on SIGTERM only once it runs again (as systemd and sysvinit do).
    { type: "signal-all", signo: SIGCONT },
    { type: "arm-grace", ms: rules.graceMs },
  ]];
}
