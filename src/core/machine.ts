// corral as one pure machine: every input is an Event, every effect an Action. It joins the
// PID-1 machine (pid1.ts), the programs' supervisor (supervisor.ts), the post-start hook
// (post-start.ts), readiness probing and the control protocol, and owns every rule between
// them: which signal goes where, when a stopped program is down, when probing starts and stops.
import { FORWARDED, SIGRTMAX, SIGTERM, signalName } from "../os/signals.ts";
import { encodeStatus, parseCommand } from "./control-protocol.ts";
import { codeOf, execFailure } from "./exit-codes.ts";
import { initialState, step, type InitAction, type InitEvent, type InitRules, type InitState } from "./pid1.ts";
import { PostStartMachine, type PostStartAction, type PostStartSpec } from "./post-start.ts";
import { EventHub, TICK_TIMER, type PoolPlan } from "./event-hub.ts";
import type { PoolAction } from "../events/pool.ts";
import { backoffMs, MIN_RUN_MS, Supervisor, type Action as ProgramAction, type Command, type ProgramRules, type State, type SupervisedProgram } from "./supervisor.ts";

/** Pause between failed readiness probes. */
export const PROBE_INTERVAL_MS = 500;

/** The one command of plain `corral -- CMD`. */
export interface JobPlan {
  argv: string[];
  /** Own process group (not --single-child): signals go to the group. */
  group: boolean;
  /** received -> forwarded (0 drops); the real-time ones are forwarded natively. */
  rewrites: ReadonlyMap<number, number>;
  /** How the rewrites read in the start-up line (-v). */
  rewritesNote: string;
}

/** Names a control socket reports in STATUS replies. */
export interface ControlLabels {
  job: string;
  process: string;
}

/** What the machine runs: one job, or programs under a supervisor. */
export interface MachineConfig<S extends ProgramRules = ProgramRules> {
  rules: InitRules;
  job?: JobPlan;
  programs?: SupervisedProgram<S>[];
  labels?: ReadonlyMap<string, ControlLabels>;
  postStart?: { program: string; spec: PostStartSpec };
  /** [eventlistener:x] pools; their processes are among `programs`. */
  pools?: PoolPlan[];
}

/** Something that happened; `now` comes with it (Machine.handle). */
export type Event<S extends ProgramRules = ProgramRules> =
  | { type: "start" }
  | { type: "signal"; signo: number }
  | { type: "job-spawned"; pid: number }
  | { type: "job-spawn-failed"; errno: number }
  | { type: "job-exited"; code: number; signal: number }
  | { type: "spawned"; name: string; pid: number }
  | { type: "spawn-failed"; name: string; file: string; errno: number }
  /** A program's process exited; `groupAlive`: others of its process group still run. */
  | { type: "exited"; name: string; pid: number; code: number; signal: number; groupAlive: boolean }
  /** A watched process group has no process left. */
  | { type: "group-gone"; pgid: number }
  | { type: "hook-started"; run: number; pid: number }
  | { type: "hook-exited"; run: number; pid: number; code: number }
  | { type: "hook-failed"; run: number; errno: number }
  | { type: "probe-result"; name: string; attempt: number; healthy: boolean }
  | { type: "timer"; key: string }
  | { type: "datagram"; name: string; data: Uint8Array; from: string | undefined }
  /** A re-read config applied; `why` names who asked (default "SIGHUP"); `pools` undefined keeps the listener pools. */
  | { type: "reloaded"; programs: SupervisedProgram<S>[]; labels?: ReadonlyMap<string, ControlLabels>; pools?: PoolPlan[]; why?: string }
  /** Process `pid` of program `name` wrote `data` on a stream with *_events_enabled (the log pump read it). */
  | { type: "program-output"; name: string; pid: number; channel: "stdout" | "stderr"; data: Uint8Array }
  /** An event listener wrote `data` on its stdout (the protocol channel). */
  | { type: "listener-output"; name: string; data: Uint8Array }
  /** An operator's command through the control API (supervisorctl start/stop/restart). */
  | { type: "control"; name: string; command: Command }
  /** The control API's signalProcess: `signo` to the program's pid (not its group), as supervisord. */
  | { type: "control-signal"; name: string; signo: number }
  /** The control API's sendRemoteCommEvent: a REMOTE_COMMUNICATION event for the pools that subscribe. */
  | { type: "remote-communication"; eventType: string; data: string }
  | { type: "reload-failed"; message: string }
  | { type: "orphan-reaped"; pid: number }
  | { type: "no-children" };

/** Something to do; the loop (modes/loop.ts) carries each out. */
export type Action =
  | { type: "spawn-job"; argv: string[]; group: boolean }
  | { type: "forward-realtime"; target: number; rewrites: ReadonlyMap<number, number> }
  | { type: "spawn"; name: string }
  /** Start a hook process in its own group; report hook-started and hook-exited (or hook-failed). */
  | { type: "run-hook"; run: number; argv: string[] }
  /** Run one readiness probe of `name`; report probe-result with `attempt`. */
  | { type: "probe"; name: string; attempt: number }
  /** kill(2) `pid`; with `group`, its process group (falling back to the pid when the group is gone). */
  | { type: "signal"; pid: number; signo: number; group: boolean }
  | { type: "signal-all"; signo: number }
  | { type: "stop-self" }
  /** Report group-gone once process group `pgid` is empty (after each reap pass). */
  | { type: "watch-group"; pgid: number }
  | { type: "set-timer"; key: string; ms: number }
  | { type: "clear-timer"; key: string }
  | { type: "send"; name: string; to: string; data: Uint8Array }
  | { type: "mark-running"; name: string; pid: number }
  | { type: "clear-running"; name: string; pid: number }
  | { type: "close-sockets" }
  /** Write `data` to event listener `name`'s stdin. */
  | { type: "listener-send"; name: string; data: string }
  /** Re-read the config; report reloaded or reload-failed. */
  | { type: "reload" }
  /** Reopen every log file the log pump writes (after an external logrotate moved them). */
  | { type: "reopen-logs" }
  | { type: "exit"; code: number }
  | { type: "log"; level: 0 | 1 | 2; message: string }
  /** Text for corral's stdout as it is (the supervisor-stdout plugin's output). */
  | { type: "print"; text: string };

const GRACE_TIMER = "grace";
const POST_START_TIMER = "post-start";
const programTimer = (name: string, kind: string): string => `program:${name}:${kind}`;
const probeTimer = (name: string): string => `probe:${name}`;
const listenerTimer = (name: string): string => `listener:${name}`;

/**
 * The whole of corral's decisions. Feed it `{ type: "start" }`, then every event with the time.
 * @example
 * const m = new Machine({ rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 10_000, stopsSelf: false },
 *   job: { argv: ["sleep", "1"], group: true, rewrites: new Map(), rewritesNote: "" } });
 * m.handle({ type: "start" }, 0); // [{ type: "spawn-job", argv: ["sleep", "1"], group: true }]
 */
export class Machine<S extends ProgramRules = ProgramRules> {
  readonly #rules: InitRules;
  readonly #job: JobPlan | undefined;
  #jobPid = 0;
  #init: InitState = initialState();
  readonly #supervisor: Supervisor<S> | undefined;
  #labels: ReadonlyMap<string, ControlLabels>;
  readonly #hook: { program: string; machine: PostStartMachine } | undefined;
  /** Exited programs whose process group still runs: pgid -> the exit to report once it is empty. */
  readonly #lingering = new Map<number, Extract<Event, { type: "exited" }>>();
  /** Programs being probed -> the current attempt (results of older attempts are ignored). */
  readonly #probing = new Map<string, number>();
  /** supervisord's events and listener pools (config runs with [eventlistener:x]). */
  readonly #events: EventHub | undefined;
  /** Listeners that broke the protocol soon after starting, in a row: their restart backs off. */
  readonly #quickViolations = new Map<string, number>();
  /** Group and exit codes of every process seen, kept past a reload that removes it (its STOPPED event comes after). */
  readonly #eventFacts = new Map<string, { group: string; exitcodes: readonly number[] }>();
  #tickArmed = false;
  #now = 0;
  #out: Action[] = [];

  constructor(config: MachineConfig<S>) {
    // Config runs pass pools (maybe none yet: a reload may add some).
    this.#events = config.pools ? new EventHub(config.pools) : undefined;
    this.#job = config.job;
    this.#supervisor = config.programs && new Supervisor(config.programs);
    this.#rules = { ...config.rules, supervised: this.#supervisor !== undefined };
    this.#labels = config.labels ?? new Map();
    this.#hook = config.postStart && { program: config.postStart.program, machine: new PostStartMachine(config.postStart.spec) };
  }

  /**
   * The PID-1 phase (running, stopping, draining, killing, exited).
   * @example new Machine({ rules }).phase // "running"
   */
  get phase(): InitState["phase"] {
    return this.#init.phase;
  }

  /**
   * A program's status as a frozen snapshot (supervised runs).
   * @example machine.statusOf("web")?.state // "RUNNING"
   */
  statusOf(name: string): ReturnType<Supervisor<S>["statusOf"]> {
    return this.#supervisor?.statusOf(name);
  }

  /**
   * A supervised program's full spec (for spawning it).
   * @example machine.specOf("web")?.name // "web"
   */
  specOf(name: string): S | undefined {
    return this.#supervisor?.programs.get(name)?.spec;
  }

  /**
   * Whether program `name` is an event listener: spawn it with stdin and stdout pipes.
   * @example machine.isListener("webserver_exit") // true for an [eventlistener:webserver_exit] process
   */
  isListener(name: string): boolean {
    return this.#events?.isListener(name) ?? false;
  }

  /**
   * The [eventlistener:x] pools as last configured (none without listeners).
   * @example machine.pools().map((p) => p.name) // ["watch"]
   */
  pools(): readonly PoolPlan[] {
    return this.#events?.plans ?? [];
  }

  /**
   * Every supervised program as configured now (empty for a plain job).
   * @example machine.programs().map((p) => p.spec.name) // ["web", "worker"]
   */
  programs(): SupervisedProgram<S>[] {
    return [...(this.#supervisor?.programs.values() ?? [])];
  }

  /**
   * Applies one event at time `now` (ms) and returns what to do, in order.
   * @example machine.handle({ type: "signal", signo: 15 }, 1000) // forwards, or stops the programs
   */
  handle(event: Event<S>, now: number): Action[] {
    this.#now = now;
    this.#on(event);
    return this.#out.splice(0);
  }

  #emit(...actions: Action[]): void {
    this.#out.push(...actions);
  }

  #log(level: 0 | 1 | 2, message: string): void {
    this.#emit({ type: "log", level, message });
  }

  #on(event: Event<S>): void {
    const sup = this.#supervisor;
    switch (event.type) {
      case "start":
        if (this.#job) this.#emit({ type: "spawn-job", argv: this.#job.argv, group: this.#job.group });
        // As supervisord: groups announced and RUNNING said before the first process starts.
        if (this.#events && sup) this.#eventsStart(sup);
        if (sup) this.#programs(sup.start(this.#now));
        return;
      case "listener-output": return this.#poolActions(this.#events?.output(event.name, event.data) ?? []);
      case "remote-communication": return this.#poolActions(this.#events?.remoteCommunication(event.eventType, event.data) ?? []);
      case "program-output": return this.#output(event);
      case "signal": return this.#pid1({ type: "signal", signo: event.signo });
      case "job-spawned": return this.#jobStarted(event.pid);
      case "job-spawn-failed": {
        const failure = execFailure(this.#job!.argv[0]!, event.errno);
        this.#log(0, failure.message);
        this.#emit({ type: "exit", code: failure.code });
        return;
      }
      case "job-exited": return this.#pid1({ type: "job-done", code: event.code, signal: event.signal });
      case "orphan-reaped": return this.#pid1({ type: "orphan-reaped", pid: event.pid });
      case "no-children": return this.#pid1({ type: "no-children" });
      case "spawned": return this.#programs(sup!.handle(event, this.#now));
      case "spawn-failed":
        this.#log(0, `${event.name}: ${execFailure(event.file, event.errno).message}`);
        return this.#programs(sup!.handle(event, this.#now));
      case "exited": return this.#exited(event);
      case "group-gone": {
        const exit = this.#lingering.get(event.pgid);
        if (!exit) return;
        this.#lingering.delete(event.pgid);
        return this.#programs(sup!.handle(exit, this.#now));
      }
      case "hook-started": case "hook-exited": case "hook-failed":
        return this.#hookActions(this.#hook?.machine.handle(event, this.#now) ?? []);
      case "probe-result": return this.#probeResult(event.name, event.attempt, event.healthy);
      case "timer": return this.#timer(event.key);
      case "datagram": return this.#datagram(event.name, event.data, event.from);
      case "control": return this.#programs(sup!.handle({ type: "command", name: event.name, command: event.command }, this.#now));
      case "control-signal": {
        const pid = sup?.statusOf(event.name)?.pid ?? 0;
        if (pid) this.#emit({ type: "signal", pid, signo: event.signo, group: false });
        return;
      }
      case "reloaded":
        if (event.labels) this.#labels = event.labels;
        this.#log(1, `${event.why ?? "SIGHUP"}: config reloaded (${event.programs.length} programs)`);
        return this.#reloaded(sup!, event.programs, event.pools);
      case "reload-failed":
        this.#log(0, `SIGHUP: config not reloaded, keeping the running one: ${event.message}`);
        return;
    }
  }

  #jobStarted(pid: number): void {
    const job = this.#job!;
    this.#jobPid = pid;
    this.#log(1, `started ${job.argv.join(" ")} as pid ${pid}${job.group ? " (own process group)" : ""}` +
      (job.rewrites.size ? `; rewrites: ${job.rewritesNote}` : ""));
    const realtime = new Map([...job.rewrites].filter(([from]) => from > 31 && from <= SIGRTMAX));
    this.#emit({ type: "forward-realtime", target: job.group ? -pid : pid, rewrites: realtime });
    this.#log(2, `signals forwarded: ${FORWARDED.map(signalName).join(" ")} and SIGRTMIN..SIGRTMAX`);
  }

  /** The PID-1 machine's step, its actions translated for this run. */
  #pid1(event: InitEvent): void {
    const [next, actions] = step(this.#init, event, this.#rules);
    this.#init = next;
    for (const a of actions) this.#pid1Action(a);
  }

  #pid1Action(a: InitAction): void {
    switch (a.type) {
      case "forward":
        if (this.#job) {
          if (this.#jobPid) this.#emit({ type: "signal", pid: this.#jobPid, signo: a.signo, group: this.#job.group });
        } else this.#signalPrograms(a.signo);
        return;
      case "stop-programs":
        if (this.#events) this.#poolActions(this.#events.supervisorState("STOPPING"));
        return this.#programs(this.#supervisor!.handle({ type: "shutdown" }, this.#now));
      case "reload": return this.#emit({ type: "reload" });
      case "arm-grace": return this.#emit({ type: "set-timer", key: GRACE_TIMER, ms: a.ms });
      case "exit": return this.#emit({ type: "clear-timer", key: GRACE_TIMER }, a);
      case "signal-all": case "stop-self": case "reopen-logs": case "log": return this.#emit(a);
    }
  }

  #signalPrograms(signo: number): void {
    const sup = this.#supervisor!;
    for (const name of sup.names()) {
      const pid = sup.statusOf(name)?.pid ?? 0;
      if (pid) this.#emit({ type: "signal", pid, signo, group: true });
    }
  }

  /**
   * A stopped program is down only once its whole process group is: START waits for that. What
   * is left once the main process is gone is TERMed (unless stopasgroup already signalled it),
   * then KILLed stopwaitsecs later (the stopwait timer, re-armed; #programs sends a lingering
   * program's signals to its group): a stop leaves nothing behind, whatever stopasgroup says.
   */
  #exited(event: Extract<Event, { type: "exited" }>): void {
    const sup = this.#supervisor!;
    if (sup.statusOf(event.name)?.state === "STOPPING" && event.groupAlive) {
      this.#lingering.set(event.pid, event);
      this.#log(2, `${event.name}: pid ${event.pid} exited, stopping the rest of its process group`);
      this.#emit({ type: "watch-group", pgid: event.pid });
      const spec = this.specOf(event.name);
      if (!spec?.stopasgroup) this.#emit({ type: "signal", pid: event.pid, signo: SIGTERM, group: true });
      this.#emit({ type: "set-timer", key: programTimer(event.name, "stopwait"), ms: (spec?.stopwaitsecs ?? 0) * 1000 });
      return;
    }
    this.#programs(sup.handle(event, this.#now));
  }

  #programs(actions: ProgramAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case "spawn": this.#emit(a); break;
        case "signal": this.#emit({ type: "signal", pid: a.pid, signo: a.signo, group: a.group || this.#lingering.has(a.pid) }); break;
        case "set-timer": this.#emit({ type: "set-timer", key: programTimer(a.name, a.kind), ms: a.ms }); break;
        case "clear-timer": this.#emit({ type: "clear-timer", key: programTimer(a.name, a.kind) }); break;
        case "probe": this.#probe(a.name); break;
        case "transition": this.#transition(a.name, a.from, a.to, a.pid); break;
        case "done":
          this.#emit({ type: "close-sockets" });
          this.#pid1({ type: "job-done", code: a.code, signal: 0 });
          break;
      }
    }
  }

  #transition(name: string, from: State, to: State, pid: number): void {
    const hook = this.#hook?.program === name ? this.#hook.machine : undefined;
    if (to === "STARTING" && pid > 0) {
      this.#log(1, `${name}: started as pid ${pid}`);
      if (this.#events) this.#poolActions(this.#events.spawned(name));
      this.#emit({ type: "mark-running", name, pid });
      if (hook) this.#hookActions(hook.handle({ type: "begin" }, this.#now));
      return;
    }
    const last = this.#supervisor!.statusOf(name)?.lastExit; // gone when a reload removed it
    const exit = last && (to === "EXITED" || to === "FATAL" || to === "BACKOFF" || to === "STOPPED") ?
      ` (${last.code >= 0 ? `exit code ${last.code}` : signalName(last.signal)})` : "";
    this.#log(to === "FATAL" ? 0 : 1, `${name}: ${from} -> ${to}${exit}`);
    if (this.#events) this.#stateEvent(name, from, to, pid, last);
    if (to === "STOPPING" && hook) this.#hookActions(hook.handle({ type: "cancel" }, this.#now));
    if (to !== "RUNNING" && to !== "STOPPING" && pid > 0) {
      this.#stopProbing(name);
      this.#emit({ type: "clear-running", name, pid });
    }
  }

  #probe(name: string): void {
    const attempt = (this.#probing.get(name) ?? 0) + 1;
    this.#probing.set(name, attempt);
    this.#emit({ type: "probe", name, attempt });
  }

  #stopProbing(name: string): void {
    if (!this.#probing.delete(name)) return;
    this.#emit({ type: "clear-timer", key: probeTimer(name) });
  }

  #probeResult(name: string, attempt: number, healthy: boolean): void {
    if (this.#probing.get(name) !== attempt) return; // stopped, or an older attempt
    if (!healthy) return this.#emit({ type: "set-timer", key: probeTimer(name), ms: PROBE_INTERVAL_MS });
    this.#probing.delete(name);
    this.#programs(this.#supervisor!.handle({ type: "ready", name }, this.#now));
  }

  #timer(key: string): void {
    if (key === TICK_TIMER) return this.#tick();
    if (key.startsWith("listener:")) return this.#programs(this.#supervisor!.handle({ type: "command", name: key.slice("listener:".length), command: "START" }, this.#now));
    if (key === GRACE_TIMER) return this.#pid1({ type: "grace-expired" });
    if (key === POST_START_TIMER) return this.#hookActions(this.#hook?.machine.handle({ type: "poll" }, this.#now) ?? []);
    // owner:NAME[:kind], where NAME may itself hold a colon (GROUP:PROCESS).
    const owner = key.slice(0, key.indexOf(":"));
    const rest = key.slice(owner.length + 1);
    const name = owner === "program" ? rest.slice(0, rest.lastIndexOf(":")) : rest;
    const kind = rest.slice(rest.lastIndexOf(":") + 1);
    if (owner === "probe") {
      if (this.#probing.has(name)) this.#probe(name);
      return;
    }
    if (owner === "program") {
      this.#programs(this.#supervisor!.handle({ type: "timer", name, kind: kind as "startsecs" | "backoff" | "stopwait" }, this.#now));
    }
  }

  #datagram(name: string, data: Uint8Array, from: string | undefined): void {
    const command = parseCommand(data);
    if (command === undefined) return this.#log(2, `${name}: ignored a datagram of ${data.length} bytes`);
    this.#log(2, `${name}: ${command}${from ? ` from ${from}` : ""}`);
    if (command === "STATUS") {
      const s = this.#supervisor?.statusOf(name);
      const labels = this.#labels.get(name);
      if (from && s && labels) {
        this.#emit({ type: "send", name, to: from, data: encodeStatus({
          job: labels.job, process: labels.process, state: s.state, pid: s.pid, since: s.since,
          restarts: s.restarts, lastExit: s.lastExit ? codeOf(s.lastExit) : null,
        }) });
      }
      return;
    }
    if (command === "STOP" && this.#hook?.program === name) this.#hookActions(this.#hook.machine.handle({ type: "cancel" }, this.#now));
    this.#programs(this.#supervisor!.handle({ type: "command", name, command }, this.#now));
  }

  /** supervisord at start: PROCESS_GROUP_ADDED per group, SUPERVISOR_STATE_CHANGE_RUNNING, the tick clock. */
  #eventsStart(sup: Supervisor<S>): void {
    const hub = this.#events!;
    this.#poolActions(hub.groups("ADDED", groupsOf(sup)));
    this.#poolActions(hub.supervisorState("RUNNING"));
    hub.start(this.#now);
    this.#armTicks();
  }

  /** The tick timer runs while some pool exists. */
  #armTicks(): void {
    if (this.#tickArmed || !this.#events?.active) return;
    this.#tickArmed = true;
    this.#emit({ type: "set-timer", key: TICK_TIMER, ms: this.#events.nextTickMs(this.#now) });
  }

  #tick(): void {
    this.#tickArmed = false;
    const actions = this.#events!.tick(this.#now);
    this.#armTicks();
    this.#poolActions(actions);
  }

  /** SIGHUP: groups that came or went are announced (PROCESS_GROUP_ADDED/REMOVED), pools re-planned. */
  #reloaded(sup: Supervisor<S>, programs: SupervisedProgram<S>[], pools: PoolPlan[] | undefined): void {
    const before = groupsOf(sup);
    const after = new Set(programs.map((p) => p.spec.group));
    const updates = pools === undefined ? [] : this.#events?.reconfigure(pools) ?? [];
    this.#programs(sup.reconfigure(programs, this.#now));
    if (!this.#events) return;
    this.#poolActions(updates);
    this.#armTicks();
    this.#poolActions(this.#events.groups("REMOVED", [...before].filter((g) => !after.has(g))));
    this.#poolActions(this.#events.groups("ADDED", [...after].filter((g) => !before.has(g))));
  }

  /** PROCESS_STATE_<TO> with supervisord's payload fields. */
  #stateEvent(name: string, from: State, to: State, pid: number, last: { code: number } | undefined): void {
    const current = this.specOf(name);
    if (current) this.#eventFacts.set(name, { group: current.group, exitcodes: current.exitcodes });
    const spec = this.#eventFacts.get(name);
    const status = this.#supervisor!.statusOf(name);
    if (!spec) return;
    const expected = to === "EXITED" && from !== "STARTING" && last !== undefined && last.code >= 0 && spec.exitcodes.includes(last.code);
    this.#poolActions(this.#events!.transition({
      name, processName: name.slice(name.indexOf(":") + 1), groupName: spec.group, from, to, pid,
      tries: status?.retries ?? 0, expected,
    }));
  }

  /** PROCESS_LOG_STDOUT/STDERR: what a program wrote, with its process and group names. */
  #output(event: Extract<Event, { type: "program-output" }>): void {
    if (!this.#events) return;
    const { name } = event;
    // A program a reload removed still has output in flight; its group is remembered.
    const group = this.specOf(name)?.group ?? this.#eventFacts.get(name)?.group;
    if (group === undefined) return;
    this.#poolActions(this.#events.log({
      processName: name.slice(name.indexOf(":") + 1), groupName: group, pid: event.pid, channel: event.channel, data: event.data,
    }));
  }

  /** A pool's decisions: writes to listeners, warnings, and restarts of listeners that broke the protocol. */
  #poolActions(actions: PoolAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case "send": this.#emit({ type: "listener-send", name: a.listener, data: a.data }); break;
        case "warn": this.#log(0, a.message); break;
        case "print": this.#emit({ type: "print", text: a.text }); break;
        case "restart": this.#restartListener(a.listener, a.warning); break;
      }
    }
  }

  /**
   * A listener that broke the protocol is restarted at once, unless it did so within MIN_RUN_MS
   * of its start: then it is stopped and started again after a backoff (1, 2, 4 … 30 s), so a
   * listener that always writes garbage costs one warning per backoff, not a busy loop.
   */
  #restartListener(name: string, warning: string): void {
    const sup = this.#supervisor!;
    const status = sup.statusOf(name);
    if (!status) return;
    const quick = status.pid > 0 && this.#now - status.startedAt < MIN_RUN_MS;
    const count = quick ? (this.#quickViolations.get(name) ?? 0) + 1 : 0;
    this.#quickViolations.set(name, count);
    if (count === 0) {
      this.#log(0, `${warning}; restarting it`);
      return this.#programs(sup.handle({ type: "command", name, command: "RESTART" }, this.#now));
    }
    const ms = backoffMs(count);
    this.#log(0, `${warning}; restarting it in ${ms / 1000} s`);
    this.#programs(sup.handle({ type: "command", name, command: "STOP" }, this.#now));
    this.#emit({ type: "set-timer", key: listenerTimer(name), ms });
  }

  #hookActions(actions: PostStartAction[]): void {
    for (const a of actions) {
      switch (a.type) {
        case "run-hook": case "log": this.#emit(a); break;
        case "signal-group": this.#emit({ type: "signal", pid: a.pgid, signo: a.signo, group: true }); break;
        case "arm-poll": this.#emit({ type: "set-timer", key: POST_START_TIMER, ms: a.ms }); break;
        case "disarm-poll": this.#emit({ type: "clear-timer", key: POST_START_TIMER }); break;
      }
    }
  }
}

/** The group names of every program the supervisor knows. */
function groupsOf<S extends ProgramRules>(sup: Supervisor<S>): Set<string> {
  return new Set([...sup.programs.values()].map((p) => p.spec.group));
}
