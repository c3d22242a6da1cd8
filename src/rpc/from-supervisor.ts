// Pure mappings from what corral's supervisor keeps (ProgramSpec, Status) to what the control
// API reports (ProcessInfo, ConfigInfo): the data half of a ControlPort implementation.
import type { LogTarget, ProgramSpec } from "../config/types.ts";
import { processNameOf } from "../config/program.ts";
import type { State, Status } from "../core/supervisor.ts";
import type { ConfigInfo, ProcessInfo } from "./port.ts";
import { ProcessStates } from "./states.ts";

const DOWN: ReadonlySet<State> = new Set(["STOPPED", "EXITED", "FATAL"]);
const path = (t: LogTarget) => (t.kind === "file" ? t.path : "");
/** supervisord never has a stderr log file for redirect_stderr=true (tail NAME stderr: no log file). */
const stderrPath = (spec: ProgramSpec) => (spec.redirectStderr ? "" : path(spec.stderr));
const seconds = (ms: number) => (ms > 0 ? ms / 1000 : 0);

/** What supervisord keeps of a program's last run beside its state (process.py's spawnerr, laststop, exitstatus). */
export interface LastRun {
  /** Why the last start failed, or "Bad exit code N" after an unexpected exit ("" when neither). */
  spawnerr: string;
  /** When its process last ended (ms), 0 if never: getProcessInfo's stop. */
  stoppedAt: number;
  /** The last exit's code, -1 when a signal ended it, 0 after an exit that ended a start or before any. */
  exitstatus: number;
}

/** supervisord's spawnerr for a program that exited before it counted as started. */
export const EXITED_TOO_QUICKLY = "Exited too quickly (process log may have details)";

/**
 * What an exit leaves in LastRun, as supervisord's Subprocess.finish decides it from the state
 * the exit led to: one that ended a start (BACKOFF, FATAL) keeps no exit status and says it
 * exited too quickly; an unexpected exit from RUNNING says "Bad exit code N".
 * @example afterExit("EXITED", { code: 3, signal: 0 }, [0]) // { exitstatus: 3, spawnerr: "Bad exit code 3" }
 */
export function afterExit(state: State | undefined, exit: { code: number; signal: number }, exitcodes: readonly number[]): { exitstatus: number; spawnerr?: string } {
  const es = exit.signal ? -1 : exit.code;
  if (state === "BACKOFF" || state === "FATAL") return { exitstatus: 0, spawnerr: EXITED_TOO_QUICKLY };
  if (state === "EXITED" && !exitcodes.includes(es)) return { exitstatus: es, spawnerr: `Bad exit code ${es}` };
  return { exitstatus: es };
}

/**
 * getProcessInfo's data for one supervised program, with what is kept of its last run.
 * @example processInfoOf(spec, supervisor.statusOf(spec.name)!, { spawnerr: "", stoppedAt: 0, exitstatus: 0 }).state // 20 (ProcessStates.RUNNING) once it has started
 */
export function processInfoOf(spec: ProgramSpec, status: Status, last: LastRun): ProcessInfo {
  return {
    name: processNameOf(spec), group: spec.group, state: ProcessStates[status.state], pid: status.pid,
    start: seconds(status.startedAt), stop: seconds(last.stoppedAt), exitstatus: last.exitstatus, spawnerr: last.spawnerr,
    stdoutLogfile: path(spec.stdout), stderrLogfile: stderrPath(spec), groupPriority: spec.groupPriority ?? spec.priority, priority: spec.priority,
    pending: status.waiting && status.pid === 0 && DOWN.has(status.state),
  };
}

/**
 * getAllConfigInfo's data for one configured program; `inuse` when its group runs.
 * @example configInfoOf(spec, true).autostart // true unless the section says autostart=false
 */
export function configInfoOf(spec: ProgramSpec, inuse: boolean): ConfigInfo {
  const size = (t: LogTarget) => (t.kind === "file" ? t.maxBytes : 0);
  const backups = (t: LogTarget) => (t.kind === "file" ? t.backups : 0);
  return {
    name: processNameOf(spec), group: spec.group, groupPriority: spec.groupPriority ?? spec.priority, priority: spec.priority, autostart: spec.autostart,
    command: spec.commandLine ?? spec.command.join(" "), directory: spec.directory ?? "", uid: spec.user?.uid ?? null, exitcodes: spec.exitcodes,
    redirectStderr: spec.redirectStderr, startretries: spec.startretries, startsecs: spec.startsecs, stopsignal: spec.stopsignal,
    stopwaitsecs: spec.stopwaitsecs, killasgroup: spec.killasgroup === true, serverurl: spec.serverUrl ?? "none", stdoutLogfile: path(spec.stdout), stderrLogfile: stderrPath(spec),
    stdoutLogfileMaxbytes: size(spec.stdout), stdoutLogfileBackups: backups(spec.stdout),
    stderrLogfileMaxbytes: size(spec.stderr), stderrLogfileBackups: backups(spec.stderr),
    stdoutEvents: spec.stdoutEvents === true, stderrEvents: spec.stderrEvents === true, inuse,
  };
}
