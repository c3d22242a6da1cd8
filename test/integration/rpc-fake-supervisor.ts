// FAKE, for the control-API parity test only: an in-memory stand-in for corral's supervisor
// behind the ControlPort, so the wire format can be pinned before the lead wires the real
// runner in. It spawns nothing: a "start" writes the program's first log line and turns
// RUNNING after startsecs; a "stop" turns STOPPED after a short delay. Real processes are
// tested against the real supervisor once it implements ControlPort.
import { appendFileSync } from "node:fs";
import type { ConfigDiff, ConfigInfo, ControlPort, ProcessInfo, Readiness, StartRefusal } from "../../src/rpc/port.ts";
import { ProcessStates, SupervisorStates } from "../../src/rpc/states.ts";

/** One fake program: a name (its own group), autostart, and the log line a start writes. */
export interface FakeProgram {
  name: string;
  autostart: boolean;
  logfile: string;
  /** supervisord's stderr_logfile=AUTO: a file in childlogdir, created empty at the first start. */
  errfile: string;
  line: string;
}

const STOP_DELAY_MS = 50;
let nextPid = 4000;

/** The fake supervisor (see the file comment): ControlPort over in-memory state and real timers. */
export class FakeSupervisor implements ControlPort {
  readonly pid = 1;
  readonly identification = "supervisor";
  readonly version = "0.1.0";
  readonly mainLogfile = undefined;
  private state: number = SupervisorStates.RUNNING;
  private readonly procs: ProcessInfo[];
  private waiters: Array<() => void> = [];
  shutdowns = 0;

  constructor(private readonly programs: FakeProgram[], private readonly startsecsMs: number) {
    this.procs = programs.map((p) => ({
      name: p.name, group: p.name, state: ProcessStates.STOPPED, pid: 0, start: 0, stop: 0, exitstatus: 0, spawnerr: "",
      stdoutLogfile: p.logfile, stderrLogfile: p.errfile, groupPriority: 999, priority: 999,
    }));
    for (const p of programs) if (p.autostart) this.start(p.name, p.name);
  }

  private get(name: string): ProcessInfo {
    return this.procs.find((p) => p.name === name)!;
  }

  private notify(): void {
    this.waiters.splice(0).forEach((w) => w());
  }

  processes(): readonly ProcessInfo[] {
    return this.procs.map((p) => ({ ...p }));
  }

  configured(): readonly ConfigInfo[] {
    return this.programs.map((p) => ({
      name: p.name, group: p.name, groupPriority: 999, priority: 999, autostart: p.autostart, command: "sh", directory: "",
      uid: null, exitcodes: [0], redirectStderr: false, startretries: 3, startsecs: 1, stopsignal: 15, stopwaitsecs: 10,
      stdoutLogfile: p.logfile, stderrLogfile: p.errfile, stdoutLogfileMaxbytes: 0, stdoutLogfileBackups: 0,
      stderrLogfileMaxbytes: 0, stderrLogfileBackups: 0, inuse: true,
    }));
  }

  start(_group: string, name: string): StartRefusal | undefined {
    const p = this.get(name);
    const program = this.programs.find((x) => x.name === name)!;
    Object.assign(p, { state: ProcessStates.STARTING, pid: nextPid++, start: Date.now() / 1000, spawnerr: "" });
    appendFileSync(program.logfile, program.line);
    appendFileSync(program.errfile, "");
    const pid = p.pid;
    setTimeout(() => {
      if (p.pid === pid && p.state === ProcessStates.STARTING) {
        p.state = ProcessStates.RUNNING;
        this.notify();
      }
    }, this.startsecsMs);
    this.notify();
    return undefined;
  }

  stop(_group: string, name: string): string | undefined {
    const p = this.get(name);
    p.state = ProcessStates.STOPPING;
    setTimeout(() => {
      Object.assign(p, { state: ProcessStates.STOPPED, pid: 0, stop: Date.now() / 1000, exitstatus: 0 });
      this.notify();
    }, STOP_DELAY_MS);
    this.notify();
    return undefined;
  }

  signal(): string | undefined {
    return undefined;
  }

  clearLogs(): boolean {
    return true;
  }

  readiness(): Readiness {
    return { ready: true, reason: "" };
  }

  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  reread(): ConfigDiff {
    return { added: [], changed: [], removed: [] };
  }

  addGroup(name: string): boolean | undefined {
    return this.procs.some((p) => p.group === name) ? false : undefined;
  }

  removeGroup(name: string): boolean | undefined {
    return this.procs.some((p) => p.group === name) ? false : undefined;
  }

  shutdown(): void {
    this.state = SupervisorStates.SHUTDOWN;
    this.shutdowns++;
  }

  restart(): void {}

  supervisorState(): number {
    return this.state;
  }

  now(): number {
    return Date.now();
  }
}
