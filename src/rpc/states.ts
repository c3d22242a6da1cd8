// supervisord's process and supervisor states (supervisor/states.py).

/** Process state codes. */
export const ProcessStates = {
  STOPPED: 0, STARTING: 10, RUNNING: 20, BACKOFF: 30, STOPPING: 40, EXITED: 100, FATAL: 200, UNKNOWN: 1000,
} as const;

/** A process state code. */
export type ProcessState = (typeof ProcessStates)[keyof typeof ProcessStates];

/** supervisord's own states (getState). */
export const SupervisorStates = { FATAL: 2, RUNNING: 1, RESTARTING: 0, SHUTDOWN: -1 } as const;

const byCode = (table: Readonly<Record<string, number>>) => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const PROCESS_NAMES = byCode(ProcessStates);
const SUPERVISOR_NAMES = byCode(SupervisorStates);

/** States a process is "down" in. */
export const STOPPED_STATES: readonly number[] = [0, 100, 200, 1000];
/** States a process counts as started in (start refuses, stop accepts). */
export const RUNNING_STATES: readonly number[] = [20, 30, 10];
/** States a process can be signalled in. */
export const SIGNALLABLE_STATES: readonly number[] = [20, 10, 40];

/**
 * The name of a process state code.
 * @example processStateName(20) // "RUNNING"
 */
export function processStateName(code: number): string {
  return PROCESS_NAMES.get(code) ?? "UNKNOWN";
}

/**
 * The name of a supervisor state code.
 * @example supervisorStateName(1) // "RUNNING"
 */
export function supervisorStateName(code: number): string {
  return SUPERVISOR_NAMES.get(code) ?? "UNKNOWN";
}
