// The supervisor: every program's state machine, start order, restarts with backoff,
// critical programs and orderly shutdown. No I/O and no clock of its own: the runner
// feeds it events (with the time) and carries out the actions it returns.
import { SIGKILL, SIGQUIT } from "../os/signals.ts";
import { codeOf, execFailureCode } from "./exit-codes.ts";
import { sameSettings } from "./same-settings.ts";

/** supervisord's state names. */
export type State = "STOPPED" | "STARTING" | "RUNNING" | "BACKOFF" | "STOPPING" | "EXITED" | "FATAL";

/** When a program's exit ends the container: config `critical=true` is "always";
 * container-run's main command is "on-failure" (a clean exit leaves corral up, stopped). */
export type Ends = "never" | "always" | "on-failure";

/** What the machine reads of a program's config (config's ProgramSpec has these and more). */
export interface ProgramRules {
  name: string;
  group: string;
  priority: number;
  autostart: boolean;
  autorestart: "true" | "false" | "unexpected";
  startsecs: number;
  startretries: number;
  exitcodes: number[];
  stopsignal: number;
  stopwaitsecs: number;
  /** The stop signal, and (killasgroup) the SIGKILL after stopwaitsecs, go to the whole process group. */
  stopasgroup?: boolean;
  killasgroup?: boolean;
  dependsOn: string[];
  /** A readiness probe, run from RUNNING until it first succeeds. */
  ready?: string;
  /** The [group:x] priority= of its group, when it has one. */
  groupPriority?: number;
}

/** A program as the supervisor sees it; `S` is the full spec the runner spawns from. */
export interface SupervisedProgram<S extends ProgramRules = ProgramRules> {
  spec: S;
  ends: Ends;
}

/** Timers a program can have armed. */
export type TimerKind = "startsecs" | "backoff" | "stopwait";

/** Operator commands (control socket, ctl). */
export type Command = "START" | "STOP" | "RESTART" | "QUIT";

/** What happened. */
export type Event =
  | { type: "spawned"; name: string; pid: number }
  | { type: "spawn-failed"; name: string; errno: number }
  | { type: "exited"; name: string; pid: number; code: number; signal: number }
  | { type: "timer"; name: string; kind: TimerKind }
  | { type: "ready"; name: string }
  | { type: "command"; name: string; command: Command }
  | { type: "shutdown" };

/** What to do. */
export type Action =
  | { type: "spawn"; name: string }
  /** kill(2) the program's process (`group`: its whole process group). */
  | { type: "signal"; name: string; pid: number; signo: number; group: boolean }
  | { type: "set-timer"; name: string; kind: TimerKind; ms: number }
  | { type: "clear-timer"; name: string; kind: TimerKind }
  | { type: "probe"; name: string }
  | { type: "transition"; name: string; from: State; to: State; pid: number }
  | { type: "done"; code: number };

/** A program's live status (also what STATUS replies carry). */
export interface Status {
  state: State;
  pid: number;
  /** When the current state began (ms since epoch). */
  since: number;
  /** Consecutive failed starts. */
  retries: number;
  /** When the current instance was spawned (ms). */
  startedAt: number;
  /** Consecutive runs shorter than MIN_RUN_MS (restarts back off instead of spinning). */
  quickExits: number;
  restarts: number;
  lastExit?: { code: number; signal: number };
  /** Should be up (autostart or START) — false after STOP. */
  wanted: boolean;
  /** A start is due once its dependencies are ready (autostart, START, restart after stop). */
  waiting: boolean;
  ready: boolean;
  restartAfterStop: boolean;
}

/** Backoff after the first failed start, doubled per failure, capped. */
export const BACKOFF_FIRST_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;
/** A run shorter than this is restarted after a backoff, also with startsecs=0 (no busy loop). */
export const MIN_RUN_MS = 1000;

/**
 * Delay before restart attempt `retries` (1-based): 1, 2, 4 … 30 s.
 * @example backoffMs(3) // 4000
 */
export function backoffMs(retries: number): number {
  return Math.min(BACKOFF_FIRST_MS * 2 ** Math.max(0, retries - 1), BACKOFF_MAX_MS);
}

const DOWN: ReadonlySet<State> = new Set(["STOPPED", "EXITED", "FATAL"]);

/** A program's group priority ([group:x] priority=, else its own): groups start in this order, then by priority. */
const rank = (spec: ProgramRules) => spec.groupPriority ?? spec.priority;

/**
 * Supervises programs. Drive it with `start()` then `handle(event, now)`.
 * @example
 * const s = new Supervisor([{ spec, ends: "never" }]);
 * s.start(Date.now()); // [{ type: "spawn", name: "web" }, ...]
 */
export class Supervisor<S extends ProgramRules = ProgramRules> {
  readonly #programs: Map<string, SupervisedProgram<S>>;
  /** Programs removed by a reload, dropped once they are down. */
  #removing = new Set<string>();
  readonly #status = new Map<string, Status>();
  /** running: normal; stopping: orderly shutdown under way; done: told the runner to exit. */
  #phase: "running" | "stopping" | "done" = "running";
  #exitCode = 0;
  #order: string[];
  #actions: Action[] = [];
  #now = 0;

  constructor(programs: SupervisedProgram<S>[]) {
    this.#programs = new Map(programs.map((p) => [p.spec.name, p]));
    this.#order = this.#sortedNames();
    for (const p of programs) this.#addStatus(p);
  }

  /**
   * A program's status as a frozen snapshot (undefined for an unknown name).
   * @example new Supervisor([{ spec, ends: "never" }]).statusOf("web")?.state // "STOPPED"
   */
  statusOf(name: string): Readonly<Status> | undefined {
    const s = this.#status.get(name);
    return s && Object.freeze({ ...s });
  }

  /**
   * Names of every program known, in no particular order.
   * @example new Supervisor([{ spec, ends: "never" }]).names() // ["web"]
   */
  names(): string[] {
    return [...this.#status.keys()];
  }

  /**
   * running: normal; stopping: orderly shutdown under way; done: the last program is down.
   * @example new Supervisor([]).phase // "running"
   */
  get phase(): "running" | "stopping" | "done" {
    return this.#phase;
  }

  /** The programs by name. */
  get programs(): ReadonlyMap<string, SupervisedProgram<S>> {
    return this.#programs;
  }

  /**
   * Applies a re-read config (SIGHUP): new programs start, removed ones stop and go,
   * changed ones restart with their new spec, unchanged ones are left alone.
   * @example supervisor.reconfigure(programsOf(loadConfig(["/etc/corral.conf"], env), false), Date.now())
   */
  reconfigure(programs: SupervisedProgram<S>[], now: number): Action[] {
    this.#now = now;
    if (this.#phase !== "running") return [];
    const next = new Map(programs.map((p) => [p.spec.name, p]));
    for (const name of this.#programs.keys()) {
      if (next.has(name)) continue;
      this.#removing.add(name);
      Object.assign(this.#status.get(name)!, { wanted: false, waiting: false });
      this.#stop(name);
      this.#dropIfRemoved(name);
    }
    for (const p of programs) {
      const old = this.#programs.get(p.spec.name);
      this.#programs.set(p.spec.name, p);
      if (!old) {
        this.#addStatus(p);
        this.#status.get(p.spec.name)!.since = now;
      } else if (!sameSettings(old, p)) {
        this.#removing.delete(p.spec.name);
        const s = this.#status.get(p.spec.name)!;
        s.wanted = p.spec.autostart;
        if (s.pid) {
          s.restartAfterStop = s.wanted;
          this.#stop(p.spec.name);
        }
      }
    }
    this.#order = this.#sortedNames();
    this.#startWaiting();
    return this.#flush();
  }

  #sortedNames(): string[] {
    return [...this.#programs.values()]
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.spec.priority - b.spec.priority || a.spec.name.localeCompare(b.spec.name))
      .map((p) => p.spec.name);
  }

  #addStatus(p: SupervisedProgram<S>): void {
    this.#status.set(p.spec.name, {
      state: "STOPPED", pid: 0, since: this.#now, retries: 0, restarts: 0, startedAt: 0, quickExits: 0,
      wanted: p.spec.autostart, waiting: p.spec.autostart, ready: false, restartAfterStop: false,
    });
  }

  #dropIfRemoved(name: string): void {
    const s = this.#status.get(name);
    if (!s || !this.#removing.has(name) || s.pid !== 0) return;
    this.#removing.delete(name);
    this.#programs.delete(name);
    this.#status.delete(name);
    this.#order = this.#order.filter((n) => n !== name);
  }

  /** Starts every autostart program whose dependencies are satisfied, in priority order. */
  start(now: number): Action[] {
    this.#now = now;
    for (const s of this.#status.values()) s.since = now;
    this.#startWaiting();
    return this.#flush();
  }

  /** Applies one event and returns what to do. */
  handle(event: Event, now: number): Action[] {
    this.#now = now;
    switch (event.type) {
      case "spawned": this.#onSpawned(event.name, event.pid); break;
      case "spawn-failed": this.#onExit(event.name, { code: execFailureCode(event.errno), signal: 0 }); break;
      case "exited": if (this.#status.get(event.name)?.pid === event.pid) this.#onExit(event.name, event); break;
      case "timer": this.#onTimer(event.name, event.kind); break;
      case "ready": this.#onReady(event.name); break;
      case "command": this.#onCommand(event.name, event.command); break;
      case "shutdown": this.#shutdown(); break;
    }
    return this.#flush();
  }

  /** Names in start order (group priority, priority, then name). */
  get order(): readonly string[] {
    return this.#order;
  }

  #flush(): Action[] {
    return this.#actions.splice(0);
  }

  #emit(action: Action): void {
    this.#actions.push(action);
  }

  #set(name: string, to: State): void {
    const s = this.#status.get(name)!;
    if (s.state === to) return;
    this.#emit({ type: "transition", name, from: s.state, to, pid: s.pid });
    s.state = to;
    s.since = this.#now;
  }

  #spec(name: string): ProgramRules {
    return this.#programs.get(name)!.spec;
  }

  #depsReady(name: string): boolean {
    return this.#spec(name).dependsOn.every((dep) =>
      [...this.#programs.values()].filter((p) => p.spec.name === dep || p.spec.group === dep)
        .every((p) => this.#status.get(p.spec.name)!.ready));
  }

  #launch(name: string): void {
    this.#status.get(name)!.waiting = false;
    this.#set(name, "STARTING");
    this.#emit({ type: "spawn", name });
  }

  #startWaiting(): void {
    if (this.#phase !== "running") return;
    for (const name of this.#order) {
      const s = this.#status.get(name)!;
      if (s.waiting && DOWN.has(s.state) && s.pid === 0 && this.#depsReady(name)) this.#launch(name);
    }
  }

  #onSpawned(name: string, pid: number): void {
    const s = this.#status.get(name)!;
    s.pid = pid;
    s.startedAt = this.#now;
    this.#emit({ type: "transition", name, from: "STARTING", to: "STARTING", pid });
    const startsecs = this.#spec(name).startsecs;
    if (startsecs === 0) this.#becomeRunning(name);
    else this.#emit({ type: "set-timer", name, kind: "startsecs", ms: startsecs * 1000 });
  }

  #becomeRunning(name: string): void {
    const s = this.#status.get(name)!;
    s.retries = 0;
    this.#set(name, "RUNNING");
    if (this.#spec(name).ready) this.#emit({ type: "probe", name });
    else this.#onReady(name);
  }

  #onReady(name: string): void {
    const s = this.#status.get(name)!;
    if (s.state !== "RUNNING" || s.ready) return;
    s.ready = true;
    this.#startWaiting();
  }

  #onTimer(name: string, kind: TimerKind): void {
    const s = this.#status.get(name)!;
    if (kind === "startsecs" && s.state === "STARTING" && s.pid) this.#becomeRunning(name);
    else if (kind === "backoff" && s.state === "BACKOFF") {
      if (s.wanted && this.#phase === "running") this.#launch(name);
      else this.#set(name, "STOPPED");
    } else if (kind === "stopwait" && s.state === "STOPPING" && s.pid) {
      this.#emit({ type: "signal", name, pid: s.pid, signo: SIGKILL, group: this.#spec(name).killasgroup === true });
    }
  }

  #onExit(name: string, exit: { code: number; signal: number }): void {
    const s = this.#status.get(name)!;
    const p = this.#programs.get(name)!;
    const was = s.state;
    s.lastExit = { code: exit.code, signal: exit.signal };
    s.ready = false;
    this.#emit({ type: "clear-timer", name, kind: "startsecs" });
    this.#emit({ type: "clear-timer", name, kind: "stopwait" });
    const pid = s.pid;
    s.pid = 0;
    const code = codeOf(exit);

    if (was === "STOPPING" || this.#phase !== "running") {
      this.#emit({ type: "transition", name, from: was, to: "STOPPED", pid });
      s.state = "STOPPED";
      s.since = this.#now;
      this.#dropIfRemoved(name);
      if (this.#phase === "stopping") this.#continueShutdown();
      else if (s.restartAfterStop) {
        s.restartAfterStop = false;
        s.retries = 0;
        s.waiting = true;
        this.#startWaiting();
      }
      return;
    }

    const tooSoon = was === "STARTING";
    const expected = !tooSoon && exit.code >= 0 && p.spec.exitcodes.includes(exit.code);
    if (p.ends === "always" || (p.ends === "on-failure" && code !== 0)) {
      this.#setExited(name, pid, tooSoon ? "FATAL" : "EXITED");
      this.#end(code);
      return;
    }
    if (tooSoon) {
      s.retries++;
      if (s.retries > p.spec.startretries) {
        this.#setExited(name, pid, "FATAL");
        return;
      }
      this.#setExited(name, pid, "BACKOFF");
      this.#emit({ type: "set-timer", name, kind: "backoff", ms: backoffMs(s.retries) });
      return;
    }
    const restart = p.ends === "never" &&
      (p.spec.autorestart === "true" || (p.spec.autorestart === "unexpected" && !expected));
    if (restart && s.wanted && this.#now - s.startedAt < MIN_RUN_MS) {
      s.quickExits++;
      s.restarts++;
      this.#setExited(name, pid, "BACKOFF");
      this.#emit({ type: "set-timer", name, kind: "backoff", ms: backoffMs(s.quickExits) });
      return;
    }
    s.quickExits = 0;
    this.#setExited(name, pid, "EXITED");
    if (restart && s.wanted) {
      s.restarts++;
      this.#launch(name);
    }
  }

  #setExited(name: string, pid: number, to: State): void {
    const s = this.#status.get(name)!;
    this.#emit({ type: "transition", name, from: s.state, to, pid });
    s.state = to;
    s.since = this.#now;
  }

  #onCommand(name: string, command: Command): void {
    const s = this.#status.get(name);
    if (!s || this.#phase !== "running") return;
    switch (command) {
      case "STOP":
        s.wanted = false;
        s.waiting = false;
        s.restartAfterStop = false;
        this.#stop(name);
        break;
      case "START":
        s.wanted = true;
        if (s.state === "STOPPING") s.restartAfterStop = true;
        else if (DOWN.has(s.state)) {
          s.retries = 0;
          s.waiting = true;
          this.#startWaiting();
        }
        break;
      case "RESTART":
        if (s.state === "STARTING" || s.state === "RUNNING" || s.state === "STOPPING") {
          s.wanted = true;
          s.restartAfterStop = true;
          this.#stop(name);
        } else this.#onCommand(name, "START");
        break;
      case "QUIT":
        if (s.pid) this.#emit({ type: "signal", name, pid: s.pid, signo: SIGQUIT, group: true });
        break;
    }
  }

  #stop(name: string): void {
    const s = this.#status.get(name)!;
    if (s.state === "BACKOFF") {
      this.#emit({ type: "clear-timer", name, kind: "backoff" });
      this.#set(name, "STOPPED");
    } else if ((s.state === "STARTING" || s.state === "RUNNING") && s.pid) {
      const spec = this.#spec(name);
      this.#set(name, "STOPPING");
      this.#emit({ type: "clear-timer", name, kind: "startsecs" });
      this.#emit({ type: "signal", name, pid: s.pid, signo: spec.stopsignal, group: spec.stopasgroup === true });
      this.#emit({ type: "set-timer", name, kind: "stopwait", ms: spec.stopwaitsecs * 1000 });
    }
  }

  #end(code: number): void {
    if (this.#phase !== "running") return;
    this.#exitCode = code;
    this.#shutdown();
  }

  #shutdown(): void {
    if (this.#phase !== "running") return;
    this.#phase = "stopping";
    this.#continueShutdown();
  }

  /** Stops programs in reverse start order, one (group priority, priority) level at a time. */
  #continueShutdown(): void {
    for (const name of this.#order) {
      const s = this.#status.get(name)!;
      if (s.state === "BACKOFF") this.#stop(name);
    }
    const live = this.#order.filter((n) => this.#status.get(n)!.pid !== 0);
    if (live.length === 0) {
      this.#phase = "done";
      this.#emit({ type: "done", code: this.#exitCode });
      return;
    }
    const level = (n: string) => [rank(this.#spec(n)), this.#spec(n).priority] as const;
    const [topGroup, top] = live.map(level).reduce((m, l) => (l[0] > m[0] || (l[0] === m[0] && l[1] > m[1]) ? l : m));
    for (const name of live) {
      const [g, p] = level(name);
      if (g === topGroup && p === top && this.#status.get(name)!.state !== "STOPPING") this.#stop(name);
    }
  }
}
