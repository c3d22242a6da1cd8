// supervisord's control API over the one loop: queries read the machine, commands are events
// of the loop (an RPC start is the same kind of input as a SIGCHLD), waits resolve on the
// next event. Loaded by config mode only, so `corral -- cmd` never evaluates it.
import type { ProgramSpec } from "../config/types.ts";
import { processNameOf } from "../config/program.ts";
import type { SupervisedProgram } from "../core/supervisor.ts";
import { ENOENT, EACCES, type Os } from "../os/types.ts";
import { SIGHUP, SIGTERM } from "../os/signals.ts";
import { execFailure } from "../core/exit-codes.ts";
import { settingsKey } from "../core/same-settings.ts";
import { afterExit, configInfoOf, processInfoOf, type LastRun } from "../rpc/from-supervisor.ts";
import type { ConfigDiff, ConfigInfo, ControlPort, ProcessInfo, ProcessStats, Readiness, StartRefusal } from "../rpc/port.ts";
import { SupervisorStates } from "../rpc/states.ts";
import type { LoopHandle } from "./loop.ts";
import type { PoolPlan } from "../core/event-hub.ts";

declare const CORRAL_VERSION: string;

/** supervisord's default identification string ([supervisord] identifier=). */
export const IDENTIFICATION = "supervisor";
/** How long a shutdown or restart waits before it starts, so its response goes out first. */
export const RESPONSE_FIRST_MS = 20;

type Program = SupervisedProgram<ProgramSpec>;


/**
 * supervisord's spawnerr wording for an exec failure.
 * @example spawnError("nginx", ENOENT) // "can't find command 'nginx'"
 */
export function spawnError(file: string, errno: number): string {
  if (errno === ENOENT) return `can't find command '${file}'`;
  if (errno === EACCES) return `command at '${file}' is not executable`;
  return execFailure(file, errno).message;
}


/** Groups in first-seen order, each with its programs' specs (and its pool's settings) as one comparable text. */
function groupsOf(programs: readonly Program[], pools: readonly PoolPlan[]): Map<string, string> {
  const out = new Map<string, Program[]>();
  for (const p of programs) out.set(p.spec.group, [...(out.get(p.spec.group) ?? []), p]);
  const pool = (g: string) => pools.find((p) => p.name === g) ?? null;
  return new Map([...out].map(([g, list]) => [g, settingsKey([[...list].sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1)), pool(g)])]));
}

/**
 * The reload diff by group: groups only in `next` are added, only in `current` removed,
 * in both with other programs or settings changed (supervisord's diff_to_active; an
 * [eventlistener:x] pool also when its events=, buffer_size= or result_handler= changed).
 * @example groupDiff(pid1.machine.programs(), programsOf(config, false)) // { added: ["debug"], changed: [], removed: [] } after a [program:debug] was added
 */
export function groupDiff(current: readonly Program[], next: readonly Program[], currentPools: readonly PoolPlan[] = [], nextPools: readonly PoolPlan[] = []): ConfigDiff {
  const cur = groupsOf(current, currentPools), nxt = groupsOf(next, nextPools);
  return {
    added: [...nxt.keys()].filter((g) => !cur.has(g)),
    changed: [...nxt.keys()].filter((g) => cur.has(g) && cur.get(g) !== nxt.get(g)),
    removed: [...cur.keys()].filter((g) => !nxt.has(g)),
  };
}

/** A config as read again for the control API: its programs and listener pools. */
export interface ReadConfig {
  programs: Program[];
  pools?: PoolPlan[];
}

/** The file side of the control API (os/control-net.ts implements it). */
export interface ControlFiles {
  /** Empties a log file; false when it cannot. */
  truncate(path: string): boolean;
  /** Why a command cannot be run at all (looked up on `path` when it has no slash). */
  refusal(file: string, path: readonly string[]): StartRefusal | undefined;
}

/** supervisord's search path when $PATH is unset or empty. */
const DEFAULT_PATH = ["/bin", "/usr/bin", "/usr/local/bin"];

/**
 * ControlPort over the loop. `reread` loads the config again (throws with one line when it
 * is invalid); `files` truncates logs and checks commands before a start; `stdin` writes to a
 * program's stdin pipe (sendProcessStdin; without it that answers NO_FILE).
 * @example const port = new LoopControlPort(os, pid1, () => ({ programs: programsOf(config, false) }), { truncate: () => true, refusal: () => undefined }); port.start("web", "web") // a START event on the loop: web is STARTING
 */
export class LoopControlPort implements ControlPort {
  readonly #os: Os;
  readonly #loop: LoopHandle;
  readonly #reread: () => ReadConfig;
  readonly #files: ControlFiles;
  readonly #stdin: ((name: string, data: string) => boolean) | undefined;
  /** What each program's last run left (supervisord's spawnerr, laststop, exitstatus). */
  readonly #last = new Map<string, LastRun>();
  readonly #exits = new Map<string, number>();
  readonly #waiters = new Set<() => void>();
  /** The config as last reread (getAllConfigInfo, addProcessGroup); undefined: the running one. */
  #read: ReadConfig | undefined;
  #state: number = SupervisorStates.RUNNING;
  readonly identification = IDENTIFICATION;
  readonly version = typeof CORRAL_VERSION === "string" ? CORRAL_VERSION : "0.0.0";
  readonly mainLogfile = undefined;

  constructor(os: Os, loop: LoopHandle, reread: () => ReadConfig, files: ControlFiles, stdin?: (name: string, data: string) => boolean) {
    this.#os = os;
    this.#stdin = stdin;
    this.#loop = loop;
    this.#reread = reread;
    this.#files = files;
    loop.observe((e) => {
      if (e.type === "spawn-failed") this.#lastRun(e.name).spawnerr = spawnError(e.file, e.errno);
      else if (e.type === "spawned") Object.assign(this.#lastRun(e.name), { spawnerr: "", exitstatus: 0 });
      else if (e.type === "exited") {
        this.#exits.set(e.name, (this.#exits.get(e.name) ?? 0) + 1);
        // Observed after the machine took the exit, so its state says what the exit was.
        const spec = loop.machine.specOf(e.name);
        const after = afterExit(loop.machine.statusOf(e.name)?.state, e, spec?.exitcodes ?? []);
        Object.assign(this.#lastRun(e.name), { stoppedAt: os.now() }, after);
      }
      for (const wake of [...this.#waiters]) wake();
    });
  }

  #lastRun(name: string): LastRun {
    let last = this.#last.get(name);
    if (!last) this.#last.set(name, last = { spawnerr: "", stoppedAt: 0, exitstatus: 0 });
    return last;
  }

  get pid(): number {
    return this.#os.pid;
  }

  now(): number {
    return this.#os.now();
  }

  #program(group: string, name: string): ProgramSpec | undefined {
    return this.#loop.machine.programs().find((p) => p.spec.group === group && processNameOf(p.spec) === name)?.spec;
  }

  processes(): readonly ProcessInfo[] {
    const out: ProcessInfo[] = [];
    for (const { spec } of this.#loop.machine.programs()) {
      const status = this.#loop.machine.statusOf(spec.name);
      if (!status) continue;
      out.push(processInfoOf(spec, status, this.#last.get(spec.name) ?? { spawnerr: "", stoppedAt: 0, exitstatus: 0 }));
    }
    return out;
  }

  configured(): readonly ConfigInfo[] {
    const running = this.#loop.machine.programs();
    const inuse = new Set(running.map((p) => p.spec.group));
    return (this.#read?.programs ?? running).map((p) => configInfoOf(p.spec, inuse.has(p.spec.group)));
  }

  start(group: string, name: string): StartRefusal | undefined {
    const spec = this.#program(group, name);
    if (!spec) return undefined;
    const PATH = spec.environment["PATH"] ?? this.#os.env["PATH"];
    const refused = spec.spawnError ? undefined : this.#files.refusal(spec.command[0]!, PATH ? PATH.split(":") : DEFAULT_PATH);
    if (refused) return refused;
    this.#loop.submit({ type: "control", name: spec.name, command: "START" });
    return undefined;
  }

  stop(group: string, name: string): string | undefined {
    const spec = this.#program(group, name);
    if (!spec) return `no such process ${group}:${name}`;
    this.#loop.submit({ type: "control", name: spec.name, command: "STOP" });
    return undefined;
  }

  signal(group: string, name: string, signo: number): string | undefined {
    const spec = this.#program(group, name);
    if (!spec) return `no such process ${group}:${name}`;
    this.#loop.submit({ type: "control-signal", name: spec.name, signo });
    return undefined;
  }

  clearLogs(group: string, name: string): boolean {
    const spec = this.#program(group, name);
    if (!spec) return false;
    return [spec.stdout, spec.stderr].every((t) => t.kind !== "file" || this.#files.truncate(t.path));
  }

  writeStdin(group: string, name: string, data: string): boolean {
    const spec = this.#program(group, name);
    return spec !== undefined && this.#stdin !== undefined && this.#stdin(spec.name, data);
  }

  readiness(group: string, name: string): Readiness {
    const spec = this.#program(group, name);
    const status = spec && this.#loop.machine.statusOf(spec.name);
    if (!spec || !status) return { ready: false, reason: "no such process" };
    if (status.ready) return { ready: true, reason: "" };
    if (status.state !== "RUNNING") return { ready: false, reason: status.state };
    return { ready: false, reason: spec.ready ? `ready=${spec.ready} not passing yet` : "not ready yet" };
  }

  stats(group: string, name: string): ProcessStats | undefined {
    const spec = this.#program(group, name);
    const status = spec && this.#loop.machine.statusOf(spec.name);
    return status ? { restarts: status.restarts, exits: this.#exits.get(spec.name) ?? 0 } : undefined;
  }

  changed(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.#waiters.delete(done);
        this.#os.clearTimer(timer);
        resolve();
      };
      const timer = this.#os.setTimer(timeoutMs, done);
      this.#waiters.add(done);
    });
  }

  reread(): ConfigDiff | { error: string } {
    try {
      this.#read = this.#reread();
    } catch (err) {
      return { error: (err as Error).message };
    }
    return groupDiff(this.#loop.machine.programs(), this.#read.programs, this.#loop.machine.pools(), this.#read.pools ?? []);
  }

  addGroup(name: string): boolean | undefined {
    const running = this.#loop.machine.programs();
    if (running.some((p) => p.spec.group === name)) return false;
    const added = (this.#read?.programs ?? []).filter((p) => p.spec.group === name);
    if (!added.length) return undefined;
    // An [eventlistener:x] comes with its pool, so its processes speak the protocol from the start.
    const pool = this.#read?.pools?.find((p) => p.name === name);
    const pools = pool ? { pools: [...this.#loop.machine.pools().filter((p) => p.name !== name), pool] } : {};
    this.#loop.submit({ type: "reloaded", programs: [...running, ...added], ...pools, why: `addProcessGroup ${name}` });
    return true;
  }

  removeGroup(name: string): boolean | undefined {
    const running = this.#loop.machine.programs();
    const members = running.filter((p) => p.spec.group === name);
    if (!members.length) return undefined;
    const down = new Set(["STOPPED", "EXITED", "FATAL"]);
    if (members.some((p) => !down.has(this.#loop.machine.statusOf(p.spec.name)?.state ?? "STOPPED"))) return false;
    const pools = this.#loop.machine.pools();
    const less = pools.some((p) => p.name === name) ? { pools: pools.filter((p) => p.name !== name) } : {};
    this.#loop.submit({ type: "reloaded", programs: running.filter((p) => p.spec.group !== name), ...less, why: `removeProcessGroup ${name}` });
    for (const p of members) {
      this.#last.delete(p.spec.name);
      this.#exits.delete(p.spec.name);
    }
    return true;
  }

  remoteCommunication(type: string, data: string): void {
    this.#loop.submit({ type: "remote-communication", eventType: type, data });
  }

  shutdown(): void {
    this.#state = SupervisorStates.SHUTDOWN;
    this.#os.setTimer(RESPONSE_FIRST_MS, () => this.#loop.submit({ type: "signal", signo: SIGTERM }));
  }

  /** corral's restart is its SIGHUP: the config read again and the diff applied (programs left alone when unchanged). */
  restart(): void {
    this.#os.setTimer(RESPONSE_FIRST_MS, () => this.#loop.submit({ type: "signal", signo: SIGHUP }));
  }

  supervisorState(): number {
    return this.#loop.machine.phase === "running" ? this.#state : SupervisorStates.SHUTDOWN;
  }
}
