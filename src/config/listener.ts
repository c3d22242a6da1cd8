// [eventlistener:x] → a ListenerSpec: processes read like a program's, plus events=,
// buffer_size= and result_handler=, checked as supervisord checks them.
import { isEventName, NEVER_SENT } from "../events/names.ts";
import { expected } from "./errors.ts";
import type { IniSection } from "./ini.ts";
import { LISTENER_DEFAULTS } from "./keys.ts";
import { programSpecs, type ProgramContext } from "./program.ts";
import { sectionReader } from "./section-reader.ts";
import { DEFAULT_RESULT_HANDLER, SUPERVISOR_STDOUT_HANDLER, type ListenerSpec } from "./types.ts";
import { dirname, resolve } from "node:path";
import * as v from "./values.ts";

/** The result handlers corral has: supervisord's default, and the supervisor-stdout plugin's (emulated). */
export const KNOWN_RESULT_HANDLERS: readonly string[] = [DEFAULT_RESULT_HANDLER, SUPERVISOR_STDOUT_HANDLER];

/** events=: comma-separated supervisord event type names (any case), each once; an empty one is unknown, as in supervisord. */
function eventList(text: string): string[] {
  const names = [...new Set(v.stringList(text).map((e) => e.toUpperCase()))];
  if (names.length === 0) throw expected("event type names like PROCESS_STATE_FATAL, TICK_60 or PROCESS_LOG", text);
  for (const n of names) if (!isEventName(n)) throw expected("supervisord event type names like PROCESS_STATE_FATAL, TICK_60 or PROCESS_LOG", n);
  return names;
}

/**
 * Reads one [eventlistener:x] pool. events= is required; buffer_size is at least 1;
 * redirect_stderr=true is refused (stdout is the protocol channel); a result_handler other
 * than supervisord's default (a Python function corral cannot run) is warned about: every
 * RESULT then acknowledges, as such handlers do unless they raise RejectEvent.
 * @example listenerSpec(readIni("[eventlistener:x]\ncommand=l\nevents=TICK_5", "a.conf")[0]!, "x", ctx).events // ["TICK_5"]
 */
export function listenerSpec(section: IniSection, name: string, ctx: ProgramContext): ListenerSpec {
  const r = sectionReader(section);
  const names = { ...ctx.envNames, here: ctx.here ?? dirname(resolve(section.file)) };
  // In supervisord's order: priority, buffer_size, result_handler, events, redirect_stderr.
  // The pool's priority defaults to -1 (listeners start first, stop last); its processes' own to 999.
  const priority = r.read("priority", names, v.integer, LISTENER_DEFAULTS.priority);
  const bufferSize = r.read("buffer_size", names, v.integer, LISTENER_DEFAULTS.bufferSize);
  if (bufferSize < 1) r.fail("buffer_size", expected("a buffer size of 1 or more", String(bufferSize)));
  const handler = r.read("result_handler", names, (t) => v.entryPoint(t, KNOWN_RESULT_HANDLERS, (spec) =>
    ctx.warn(`${r.prefix("result_handler")}corral cannot run ${JSON.stringify(spec)} (only ${KNOWN_RESULT_HANDLERS.join(", ")}): every RESULT acknowledges its event, whatever it says`)), DEFAULT_RESULT_HANDLER);
  const events = r.read("events", names, eventList, undefined) ?? r.fail("events", expected("event type names like PROCESS_STATE_FATAL or TICK_60", ""));
  const quiet = events.filter((e) => NEVER_SENT.includes(e));
  if (quiet.length) ctx.warn(`${r.prefix("events")}corral never sends ${quiet.join(", ")}`);
  if (r.read("redirect_stderr", names, v.boolean, false)) {
    r.fail("redirect_stderr", expected("false: a listener's stdout carries the event protocol", "true"));
  }
  const pool = r.check("", () => v.processName(name));
  const processes = programSpecs(section, name, ctx, { group: pool, priority }, { listener: true });
  return {
    name: pool,
    events,
    bufferSize,
    resultHandler: handler,
    priority,
    processes,
    origin: `${section.file}:${section.line}`,
  };
}
