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

/**
 * getProcessInfo's data for one supervised program. `spawnerr` is the last spawn failure's text
 * (e.g. "can't find command 'nginx'"), kept by the runner; `stoppedAt` when it last went down (ms).
 * @example processInfoOf(spec, supervisor.statusOf(spec.name)!, "", 0).state // 20 (ProcessStates.RUNNING) once it has started
 */
export function processInfoOf(spec: ProgramSpec, status: Status, spawnerr: string, stoppedAt: number): ProcessInfo {
  return {
    name: processNameOf(spec), group: spec.group, state: ProcessStates[status.state], pid: status.pid,
    start: seconds(status.startedAt), stop: seconds(DOWN.has(status.state) ? status.since : stoppedAt),
    exitstatus: status.lastExit && status.lastExit.code >= 0 ? status.lastExit.code : 0, spawnerr,
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
    command: spec.commandText ?? spec.command.join(" "), directory: spec.directory ?? "", uid: spec.user?.uid ?? null, exitcodes: spec.exitcodes,
    redirectStderr: spec.redirectStderr, startretries: spec.startretries, startsecs: spec.startsecs, stopsignal: spec.stopsignal,
    stopwaitsecs: spec.stopwaitsecs, killasgroup: spec.killasgroup === true, serverurl: spec.serverUrl ?? "auto", stdoutLogfile: path(spec.stdout), stderrLogfile: stderrPath(spec),
    stdoutLogfileMaxbytes: size(spec.stdout), stdoutLogfileBackups: backups(spec.stdout),
    stderrLogfileMaxbytes: size(spec.stderr), stderrLogfileBackups: backups(spec.stderr),
    stdoutEvents: spec.stdoutEvents === true, stderrEvents: spec.stderrEvents === true, inuse,
  };
}
