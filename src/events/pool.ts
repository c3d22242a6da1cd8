// One [eventlistener:x] pool as supervisord runs it, with no I/O of its own: events and the
// listeners' stdout bytes go in, "send this to that listener" and warnings come out.
// Protocol (supervisord's): a listener writes READY\n; it is sent one event (header + payload);
// it answers RESULT N\n and N bytes (OK acknowledges; anything else rejects: sent again later).
import { encodeEvent, type EventBody } from "./codec.ts";
import { subscribes } from "./names.ts";
import { concat } from "../bytes.ts";
import { supervisorStdoutText } from "./supervisor-stdout.ts";

/** What the pool needs from its config (a ListenerSpec fits). */
export interface PoolConfig {
  name: string;
  events: readonly string[];
  bufferSize: number;
  /** A result_handler corral cannot run: every RESULT acknowledges (such handlers accept
   * unless they raise; listeners written for them answer with data, not OK). */
  anyResultAcknowledges?: boolean;
  /** result_handler=supervisor_stdout:event_handler: each RESULT is printed as the plugin prints it (and acknowledges). */
  printsResults?: boolean;
}

/** An event with its global serial (the same in every pool), as the router hands it out. */
export interface SerialEvent extends EventBody {
  serial: number;
}

/** A listener's protocol state, supervisord's names. ACKNOWLEDGED: waiting for READY. */
export type ListenerState = "ACKNOWLEDGED" | "READY" | "BUSY" | "UNKNOWN";

/** What the runner must do. */
export type PoolAction =
  /** Write `data` (UTF-8) to the listener's stdin. */
  | { type: "send"; listener: string; data: string; serial: number }
  /** The listener broke the protocol: log `warning` (what it did) once and restart it (corral and programs go on). */
  | { type: "restart"; listener: string; warning: string }
  /** Log a warning (events dropped because the buffer was full). */
  | { type: "warn"; message: string }
  /** Write `text` to corral's stdout as it is (what the supervisor-stdout plugin prints). */
  | { type: "print"; text: string };

const READY = "READY\n";
const RESULT_LINE = /^RESULT (\d+)$/;
/** What the start of a RESULT line may look like before its newline arrives. */
const RESULT_PREFIX = /^(?:R(?:E(?:S(?:U(?:L(?:T(?: \d*)?)?)?)?)?)?)?$/;
const OK = "OK";
const NEWLINE = 0x0a;
const decoder = new TextDecoder();

interface Listener {
  /** Spawned and not gone: may say READY. */
  alive: boolean;
  /** supervisord sends events to RUNNING listeners only (after startsecs). */
  running: boolean;
  state: ListenerState;
  /** stdout bytes not yet understood. */
  pending: Uint8Array;
  /** BUSY: the event it is handling, and the RESULT length once its line is read. */
  event?: SerialEvent & { poolSerial: number };
  resultLength?: number;
}

/** Whether `bytes` starts with the ASCII text `prefix`. */
function startsWith(bytes: Uint8Array, prefix: string): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix.charCodeAt(i)) return false;
  return true;
}

/** A printable excerpt of what a listener wrote, for the warning. */
function excerpt(bytes: Uint8Array): string {
  return JSON.stringify(decoder.decode(bytes.subarray(0, 40)));
}

/**
 * The event buffer and protocol state of one pool's listeners.
 * @example
 * const pool = new ListenerPool({ name: "watch", events: ["TICK"], bufferSize: 10 });
 * pool.spawned("watch"); pool.running("watch");
 * pool.output("watch", new TextEncoder().encode("READY\n"));
 * pool.publish({ name: "TICK_5", payload: "when:5", serial: 0 }) // [{ type: "send", listener: "watch", data: "ver:3.0 …", serial: 0 }]
 */
export class ListenerPool {
  #config: PoolConfig;
  /** Events waiting for a READY listener, oldest first, with their pool serial. */
  readonly buffer: (SerialEvent & { poolSerial: number })[] = [];
  /** Events dropped because the buffer was full. */
  dropped = 0;
  readonly #listeners = new Map<string, Listener>();
  #poolSerial = -1;
  #actions: PoolAction[] = [];

  constructor(config: PoolConfig) {
    this.#config = config;
  }

  /** The pool's events= and buffer_size= (a reload may change them: update()). */
  get config(): PoolConfig {
    return this.#config;
  }

  /**
   * A reload changed events= or buffer_size=: they apply from now on; a buffer now over the
   * new size drops its oldest events, each counted and warned about.
   * @example pool.update({ name: "watch", events: ["TICK"], bufferSize: 1 }) // a warning per event dropped
   */
  update(config: PoolConfig): PoolAction[] {
    this.#config = config;
    while (this.buffer.length > config.bufferSize) this.#drop();
    return this.#flush();
  }

  /** Whether this pool subscribes to events of type `name` (parents included). */
  wants(name: string): boolean {
    return subscribes(this.config.events, name);
  }

  /** A listener's protocol state (undefined for a name the pool has not seen). */
  stateOf(listener: string): ListenerState | undefined {
    return this.#listeners.get(listener)?.state;
  }

  /** An event for this pool (the router checks wants()): buffered, then sent to a READY listener if one is. */
  publish(event: SerialEvent): PoolAction[] {
    this.#accept({ ...event, poolSerial: ++this.#poolSerial }, false);
    return this.#dispatch();
  }

  /** The listener process was spawned: a fresh protocol state, waiting for READY. */
  spawned(listener: string): PoolAction[] {
    const old = this.#listeners.get(listener);
    if (old) this.#rebuffer(old); // its exit was not reported: the event it held is not lost
    this.#listeners.set(listener, { alive: true, running: false, state: "ACKNOWLEDGED", pending: new Uint8Array(0) });
    return this.#flush();
  }

  /** The listener reached RUNNING (startsecs passed): it may now be sent events. */
  running(listener: string): PoolAction[] {
    const l = this.#listeners.get(listener);
    if (l?.alive) l.running = true;
    return this.#dispatch();
  }

  /**
   * The listener is being stopped: it is sent no more events (supervisord sends to RUNNING
   * listeners only); a RESULT it still writes for the event it holds counts.
   * @example pool.stopping("watch") // []
   */
  stopping(listener: string): PoolAction[] {
    const l = this.#listeners.get(listener);
    if (l) l.running = false;
    return this.#flush();
  }

  /** The listener process is gone (exited, stopped, killed): an event it held is sent again. */
  exited(listener: string): PoolAction[] {
    const l = this.#listeners.get(listener);
    if (!l) return [];
    this.#rebuffer(l);
    Object.assign(l, { alive: false, running: false, state: "ACKNOWLEDGED", pending: new Uint8Array(0) });
    return this.#dispatch();
  }

  /** Bytes the listener wrote on stdout (the protocol channel). */
  output(listener: string, chunk: Uint8Array): PoolAction[] {
    const l = this.#listeners.get(listener);
    if (!l?.alive || l.state === "UNKNOWN") return [];
    l.pending = concat(l.pending, chunk);
    this.#parse(listener, l);
    return this.#dispatch();
  }

  #flush(): PoolAction[] {
    return this.#actions.splice(0);
  }

  /** supervisord's _acceptEvent: a full buffer drops its oldest event first. */
  #accept(event: SerialEvent & { poolSerial: number }, head: boolean): void {
    if (this.buffer.length >= this.config.bufferSize) this.#drop();
    if (head) this.buffer.unshift(event);
    else this.buffer.push(event);
  }

  /** Drops the oldest buffered event, counted, with a warning. */
  #drop(): void {
    const gone = this.buffer.shift()!;
    this.dropped++;
    this.#actions.push({
      type: "warn",
      message: `pool ${this.config.name} event buffer overflowed (buffer_size=${this.config.bufferSize}), discarding event ${gone.serial}; ${this.dropped} dropped so far`,
    });
  }

  /** A BUSY listener's event goes back to the head of the buffer. */
  #rebuffer(l: Listener): void {
    if (l.event) this.#accept(l.event, true);
    l.event = undefined;
    l.resultLength = undefined;
  }

  /** Sends buffered events, oldest first, to READY running listeners (in the order they were spawned). */
  #dispatch(): PoolAction[] {
    while (this.buffer.length) {
      const entry = [...this.#listeners].find(([, l]) => l.alive && l.running && l.state === "READY");
      if (!entry) break;
      const [name, l] = entry;
      const event = this.buffer.shift()!;
      l.state = "BUSY";
      l.event = event;
      const data = encodeEvent(event, { serial: event.serial, pool: this.config.name, poolSerial: event.poolSerial });
      this.#actions.push({ type: "send", listener: name, data, serial: event.serial });
    }
    return this.#flush();
  }

  /** The listener broke the protocol: it gets no more events and is restarted. */
  #violation(name: string, l: Listener, what: string): void {
    this.#rebuffer(l);
    l.state = "UNKNOWN";
    l.pending = new Uint8Array(0);
    this.#actions.push({ type: "restart", listener: name, warning: `${name}: ${what} (event listener protocol: READY, then RESULT N)` });
  }

  /** supervisord's handle_listener_state_change, over every complete token in `pending`. */
  #parse(name: string, l: Listener): void {
    for (;;) {
      const data = l.pending;
      if (data.length === 0) return;
      if (l.state === "ACKNOWLEDGED") {
        if (data.length < READY.length) {
          // Too short to decide, unless it already cannot become READY\n.
          if (!READY.startsWith(decoder.decode(data))) this.#violation(name, l, `wrote ${excerpt(data)} instead of READY`);
          return;
        }
        if (!startsWith(data, READY)) return this.#violation(name, l, `wrote ${excerpt(data)} instead of READY`);
        l.state = "READY";
        l.pending = data.subarray(READY.length);
      } else if (l.state === "READY") {
        return this.#violation(name, l, `wrote ${excerpt(data)} before it was sent an event`);
      } else if (l.state === "BUSY") {
        if (l.resultLength === undefined) {
          const nl = data.indexOf(NEWLINE);
          if (nl < 0) {
            // No full line yet: wait, unless it already cannot become RESULT N.
            if (!RESULT_PREFIX.test(decoder.decode(data))) this.#violation(name, l, `wrote ${excerpt(data)} instead of RESULT N`);
            return;
          }
          const m = RESULT_LINE.exec(decoder.decode(data.subarray(0, nl)));
          if (!m) return this.#violation(name, l, `wrote ${excerpt(data.subarray(0, nl))} instead of RESULT N`);
          l.resultLength = Number(m[1]);
          l.pending = data.subarray(nl + 1);
          continue;
        }
        if (data.length < l.resultLength) return;
        const result = decoder.decode(data.subarray(0, l.resultLength));
        l.pending = data.subarray(l.resultLength);
        // supervisord's default_handler: OK acknowledges; anything else rejects and the event is re-buffered.
        if (this.config.printsResults) {
          const text = supervisorStdoutText(result);
          this.#actions.push(text === undefined ? { type: "warn", message: `${name}: event caused an error` } : { type: "print", text });
        } else if (result !== OK && !this.config.anyResultAcknowledges) this.#rebuffer(l);
        l.event = undefined;
        l.resultLength = undefined;
        l.state = "ACKNOWLEDGED";
      } else {
        return;
      }
    }
  }
}

/**
 * Fans events out to every pool that subscribes to them, numbering each event once
 * (supervisord's global serial, from 0) so all pools see the same serial.
 * @example
 * const router = new EventRouter([pool]);
 * router.publish(tickEvent(5, 1700000000)) // the pool's actions, in order
 */
export class EventRouter {
  readonly pools: readonly ListenerPool[];
  #serial = -1;

  constructor(pools: readonly ListenerPool[]) {
    this.pools = pools;
  }

  /** Whether any pool wants events of type `name` (skip building events nobody reads). */
  wants(name: string): boolean {
    return this.pools.some((p) => p.wants(name));
  }

  /** Numbers the event and hands it to each subscribed pool; their actions in order. */
  publish(event: EventBody): PoolAction[] {
    const targets = this.pools.filter((p) => p.wants(event.name));
    if (targets.length === 0) return [];
    const serial = ++this.#serial;
    return targets.flatMap((p) => p.publish({ ...event, serial }));
  }
}
