// supervisord's event wire format: the header line every listener reads, and the payload of
// each event type corral sends, byte for byte as supervisor/events.py words them.

/** supervisord's process states, as PROCESS_STATE_* names and from_state values spell them. */
export type ProcessState = "STOPPED" | "STARTING" | "RUNNING" | "BACKOFF" | "STOPPING" | "EXITED" | "FATAL" | "UNKNOWN";

/** An event ready to be queued: its type name and its payload text. */
export interface EventBody {
  name: string;
  payload: string;
}

/** The header's protocol version and server name (supervisord's `identifier` default). */
export const PROTOCOL_VERSION = "3.0";
export const SERVER_IDENTIFIER = "supervisor";
/** The tick periods supervisord has, in seconds. */
export const TICK_PERIODS = [5, 60, 3600] as const;
/** One of TICK_PERIODS. */
export type TickPeriod = (typeof TICK_PERIODS)[number];

/** What a PROCESS_STATE_* event says about the process. */
export interface ProcessStateChange {
  to: ProcessState;
  from: ProcessState;
  /** supervisord's process name (process_name=, without the group). */
  processName: string;
  groupName: string;
  /** STARTING, BACKOFF: failed starts so far (supervisord's backoff counter). */
  tries?: number;
  /** EXITED: whether the exit code was in exitcodes=. */
  expected?: boolean;
  /** RUNNING, STOPPING, STOPPED, EXITED: the process id (0 when there is none). */
  pid?: number;
}

/**
 * A PROCESS_STATE_<TO> event: `processname:P groupname:G from_state:S` then, as supervisord
 * sends them, `tries:N` (STARTING, BACKOFF), `expected:0|1 pid:N` (EXITED) or `pid:N`
 * (RUNNING, STOPPING, STOPPED); FATAL and UNKNOWN carry nothing more.
 * @example processStateEvent({ to: "RUNNING", from: "STARTING", processName: "web", groupName: "web", pid: 42 })
 * // { name: "PROCESS_STATE_RUNNING", payload: "processname:web groupname:web from_state:STARTING pid:42" }
 */
export function processStateEvent(change: ProcessStateChange): EventBody {
  const fields: [string, string | number][] = [["processname", change.processName], ["groupname", change.groupName], ["from_state", change.from]];
  const pid = change.pid ?? 0;
  switch (change.to) {
    case "STARTING":
    case "BACKOFF": fields.push(["tries", change.tries ?? 0]); break;
    case "EXITED": fields.push(["expected", change.expected ? 1 : 0], ["pid", pid]); break;
    case "RUNNING":
    case "STOPPING":
    case "STOPPED": fields.push(["pid", pid]); break;
    case "FATAL":
    case "UNKNOWN": break;
  }
  return { name: `PROCESS_STATE_${change.to}`, payload: fields.map(([k, v]) => `${k}:${v}`).join(" ") };
}

/**
 * A PROCESS_LOG_STDOUT/STDERR event for output of a program with *_events_enabled=true.
 * @example processLogEvent("stdout", "web", "web", 42, "GET /\n").payload // "processname:web groupname:web pid:42 channel:stdout\nGET /\n"
 */
export function processLogEvent(channel: "stdout" | "stderr", processName: string, groupName: string, pid: number, data: string): EventBody {
  return {
    name: `PROCESS_LOG_${channel.toUpperCase()}`,
    payload: `processname:${processName} groupname:${groupName} pid:${pid} channel:${channel}\n${data}`,
  };
}

/**
 * A TICK_5/60/3600 event; `when` is the start of the period that just began (seconds since epoch).
 * @example tickEvent(60, 1700000040) // { name: "TICK_60", payload: "when:1700000040" }
 */
export function tickEvent(period: TickPeriod, when: number): EventBody {
  return { name: `TICK_${period}`, payload: `when:${when}` };
}

/**
 * SUPERVISOR_STATE_CHANGE_RUNNING (all started) or _STOPPING (shutdown began); no payload.
 * @example supervisorStateEvent("RUNNING") // { name: "SUPERVISOR_STATE_CHANGE_RUNNING", payload: "" }
 */
export function supervisorStateEvent(state: "RUNNING" | "STOPPING"): EventBody {
  return { name: `SUPERVISOR_STATE_CHANGE_${state}`, payload: "" };
}

/**
 * PROCESS_GROUP_ADDED/REMOVED (a reload added or removed a group).
 * @example processGroupEvent("ADDED", "site").payload // "groupname:site\n"
 */
export function processGroupEvent(change: "ADDED" | "REMOVED", groupName: string): EventBody {
  return { name: `PROCESS_GROUP_${change}`, payload: `groupname:${groupName}\n` };
}

/** The numbers a header carries besides the event itself. */
export interface Envelope {
  /** The event's serial, the same in every pool (supervisord's GlobalSerial, from 0). */
  serial: number;
  pool: string;
  /** The event's serial within this pool (from 0). */
  poolSerial: number;
}

/**
 * The text a listener reads for one event: the header line, then exactly `len` characters of
 * payload. `len` counts characters (code points), as supervisord's len() of its str payload.
 * @example encodeEvent({ name: "TICK_5", payload: "when:5" }, { serial: 0, pool: "p", poolSerial: 0 })
 * // "ver:3.0 server:supervisor serial:0 pool:p poolserial:0 eventname:TICK_5 len:6\nwhen:5"
 */
export function encodeEvent(event: EventBody, envelope: Envelope): string {
  const len = [...event.payload].length;
  return `ver:${PROTOCOL_VERSION} server:${SERVER_IDENTIFIER} serial:${envelope.serial} pool:${envelope.pool} ` +
    `poolserial:${envelope.poolSerial} eventname:${event.name} len:${len}\n${event.payload}`;
}

/**
 * Splits a header line (without its newline) into its fields, as supervisor.childutils does.
 * @example parseHeader("ver:3.0 len:6").len // "6"
 */
export function parseHeader(line: string): Record<string, string> {
  return Object.fromEntries(line.split(" ").filter(Boolean).map((pair) => {
    const at = pair.indexOf(":");
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

/**
 * The tick events due at `nowMs` since the last call, supervisord's way: one per period whose
 * time slice rolled over (never at start-up), `when` being the new slice's start.
 * @example const t = new Ticks(4_000); t.due(5_000) // [{ name: "TICK_5", payload: "when:5" }]
 */
export class Ticks {
  readonly #last = new Map<TickPeriod, number>();

  constructor(nowMs: number) {
    for (const p of TICK_PERIODS) this.#last.set(p, slice(p, nowMs));
  }

  /** Events for every period that rolled over since the last call. */
  due(nowMs: number): EventBody[] {
    const out: EventBody[] = [];
    for (const p of TICK_PERIODS) {
      const now = slice(p, nowMs);
      if (now !== this.#last.get(p)) {
        this.#last.set(p, now);
        out.push(tickEvent(p, now));
      }
    }
    return out;
  }

  /** Milliseconds from `nowMs` to the next slice boundary of the shortest period (when to call due() next). */
  nextInMs(nowMs: number): number {
    const period = TICK_PERIODS[0] * 1000;
    return period - (nowMs % period);
  }
}

/** The start (seconds) of the period-long slice `nowMs` falls in, like supervisord's timeslice(). */
function slice(period: number, nowMs: number): number {
  const s = Math.floor(nowMs / 1000);
  return s - (s % period);
}
