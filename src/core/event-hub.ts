// supervisord's event system inside the machine, with no I/O: program transitions, ticks and
// supervisor state become events; [eventlistener:x] pools (events/pool.ts) decide what each
// listener process is sent. The machine feeds it and turns its actions into loop actions.
import { processGroupEvent, processLogEvent, processStateEvent, supervisorStateEvent, TICK_PERIODS, Ticks, type EventBody, type ProcessState } from "../events/codec.ts";
import { logPieces, logText } from "../events/log-data.ts";
import { EventRouter, ListenerPool, type PoolAction, type PoolConfig } from "../events/pool.ts";

/** One [eventlistener:x] pool as the machine needs it: its config and the names of its processes. */
export interface PoolPlan extends PoolConfig {
  /** Process names (supervisor names, `pool:process` or the pool name alone) of the pool. */
  processes: readonly string[];
}

/** What a program transition says, as the machine knows it. */
export interface TransitionFacts {
  name: string;
  /** supervisord's process_name (without the group) and group name. */
  processName: string;
  groupName: string;
  from: ProcessState;
  to: ProcessState;
  pid: number;
  /** STARTING/BACKOFF: failed starts so far. */
  tries: number;
  /** EXITED: the exit code was in exitcodes=. */
  expected: boolean;
}

/** Output a program wrote on a stream with *_events_enabled, as the log pump read it. */
export interface OutputFacts {
  /** supervisord's process_name (without the group) and group name. */
  processName: string;
  groupName: string;
  /** The process that wrote it. */
  pid: number;
  channel: "stdout" | "stderr";
  data: Uint8Array;
}

/** The loop timer key of the tick clock. */
export const TICK_TIMER = "events:tick";
/** Fired a little after a slice boundary, so the new slice is surely reached. */
const TICK_SLACK_MS = 5;

/**
 * The pools, the router and the tick clock of one run.
 * @example
 * const hub = new EventHub([{ name: "watch", events: ["PROCESS_STATE"], bufferSize: 10, processes: ["watch"] }]);
 * hub.isListener("watch") // true
 */
export class EventHub {
  #pools = new Map<string, ListenerPool>();
  /** listener process name -> its pool. */
  #owner = new Map<string, ListenerPool>();
  #router = new EventRouter([]);
  #plans: readonly PoolPlan[] = [];
  /** The tick clock, from start(): periods count from then (no tick for the slice corral started in). */
  #ticks: Ticks | undefined;

  constructor(pools: readonly PoolPlan[]) {
    this.reconfigure(pools);
  }

  /**
   * Starts the tick clock at `now` (ms); returns when to call tick() first.
   * @example new EventHub([]).start(Date.now()) // ms to the next 5 s boundary (and a little)
   */
  start(now: number): number {
    this.#ticks = new Ticks(now);
    return this.nextTickMs(now);
  }

  /**
   * Applies the pools of a re-read config: a pool of the same name keeps its buffer and
   * listener states and takes its new events=/buffer_size= (a smaller buffer drops its oldest).
   * @example new EventHub([]).reconfigure([]) // [] (every pool gone)
   */
  reconfigure(pools: readonly PoolPlan[]): PoolAction[] {
    this.#plans = pools;
    const next = new Map<string, ListenerPool>();
    const out: PoolAction[] = [];
    this.#owner.clear();
    for (const plan of pools) {
      const config: PoolConfig = { name: plan.name, events: plan.events, bufferSize: plan.bufferSize };
      if (plan.anyResultAcknowledges) config.anyResultAcknowledges = true;
      if (plan.printsResults) config.printsResults = true;
      const old = this.#pools.get(plan.name);
      const pool = old ?? new ListenerPool(config);
      if (old) out.push(...old.update(config));
      next.set(plan.name, pool);
      for (const p of plan.processes) this.#owner.set(p, pool);
    }
    this.#pools = next;
    this.#router = new EventRouter([...next.values()]);
    return out;
  }

  /** The pools as last configured (what the control API diffs a reread config against). */
  get plans(): readonly PoolPlan[] {
    return this.#plans;
  }

  /** Whether process `name` is an event listener (its stdout is the protocol channel). */
  isListener(name: string): boolean {
    return this.#owner.has(name);
  }

  /** Whether any pool exists (ticks are armed only then). */
  get active(): boolean {
    return this.#pools.size > 0;
  }

  /** A pool by name (tests, status). */
  pool(name: string): ListenerPool | undefined {
    return this.#pools.get(name);
  }

  /** Publishes one event to every pool that subscribes. */
  publish(event: EventBody): PoolAction[] {
    return this.#router.publish(event);
  }

  /**
   * A program (or listener) transition: PROCESS_STATE_<TO> for the pools, and the protocol
   * bookkeeping when the process is a listener itself.
   * @example new EventHub([]).transition({ name: "web", processName: "web", groupName: "web", from: "STARTING", to: "RUNNING", pid: 7, tries: 0, expected: false })
   */
  transition(t: TransitionFacts): PoolAction[] {
    const out: PoolAction[] = [];
    const pool = this.#owner.get(t.name);
    if (pool) {
      if (t.to === "RUNNING") out.push(...pool.running(t.name));
      else if (t.to === "STOPPING") out.push(...pool.stopping(t.name));
      else if (t.to !== "STARTING" && t.pid > 0) out.push(...pool.exited(t.name));
    }
    if (this.#router.wants(`PROCESS_STATE_${t.to}`)) {
      out.push(...this.publish(processStateEvent({
        to: t.to, from: t.from, processName: t.processName, groupName: t.groupName, tries: t.tries, expected: t.expected, pid: t.pid,
      })));
    }
    return out;
  }

  /** A listener process was spawned (a fresh protocol state: waiting for READY). */
  spawned(name: string): PoolAction[] {
    return this.#owner.get(name)?.spawned(name) ?? [];
  }

  /**
   * Program output: PROCESS_LOG_STDOUT/STDERR for the pools that subscribe, one event per
   * supervisord-sized read (events/log-data.ts).
   * @example new EventHub([]).log({ processName: "web", groupName: "web", pid: 7, channel: "stdout", data: new TextEncoder().encode("hi\n") }) // [] (no pool)
   */
  log(o: OutputFacts): PoolAction[] {
    if (!this.#router.wants(`PROCESS_LOG_${o.channel.toUpperCase()}`)) return [];
    return logPieces(o.data).flatMap((piece) => this.publish(processLogEvent(o.channel, o.processName, o.groupName, o.pid, logText(piece))));
  }

  /** Bytes a listener wrote on its stdout. */
  output(name: string, chunk: Uint8Array): PoolAction[] {
    return this.#owner.get(name)?.output(name, chunk) ?? [];
  }

  /** SUPERVISOR_STATE_CHANGE_RUNNING or _STOPPING. */
  supervisorState(state: "RUNNING" | "STOPPING"): PoolAction[] {
    return this.publish(supervisorStateEvent(state));
  }

  /**
   * REMOTE_COMMUNICATION (the control API's sendRemoteCommEvent): `type:TYPE`, a newline, then the data.
   * @example new EventHub([]).remoteCommunication("deploy", "v2") // [] (no pool)
   */
  remoteCommunication(type: string, data: string): PoolAction[] {
    return this.publish({ name: "REMOTE_COMMUNICATION", payload: `type:${type}\n${data}` });
  }

  /** PROCESS_GROUP_ADDED/REMOVED for each group name. */
  groups(change: "ADDED" | "REMOVED", names: Iterable<string>): PoolAction[] {
    return [...names].flatMap((g) => this.publish(processGroupEvent(change, g)));
  }

  /** Publishes the TICK_* events due at `now` (ms); nextTickMs() says when to look again. */
  tick(now: number): PoolAction[] {
    this.#ticks ??= new Ticks(now);
    return this.#ticks.due(now).flatMap((e) => this.publish(e));
  }

  /** Milliseconds from `now` to the next tick check. */
  nextTickMs(now: number): number {
    const period = TICK_PERIODS[0] * 1000;
    return period - (now % period) + TICK_SLACK_MS;
  }
}
