// [eventlistener:x] → a ListenerSpec: processes read like a program's, plus events=,
// buffer_size= and result_handler=, checked as supervisord checks them.
import { isEventName, NEVER_SENT } from "../events/names.ts";
import { expected } from "./errors.ts";
import type { IniSection } from "./ini.ts";
import { LISTENER_DEFAULTS } from "./keys.ts";
import { programSpecs, type ProgramContext } from "./program.ts";
import { sectionReader } from "./section-reader.ts";
import { DEFAULT_RESULT_HANDLER, type ListenerSpec } from "./types.ts";
import * as v from "./values.ts";

/** events=: comma-separated supervisord event type names (any case), each once. */
function eventList(text: string): string[] {
  const names = [...new Set(text.split(",").map((e) => e.trim().toUpperCase()).filter(Boolean))];
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
  const names = { ...ctx.envNames, program_name: name, group_name: name, host_node_name: ctx.hostname };
  const events = r.read("events", names, eventList, undefined) ?? r.fail("events", expected("event type names like PROCESS_STATE_FATAL or TICK_60", ""));
  const quiet = events.filter((e) => NEVER_SENT.includes(e));
  if (quiet.length) ctx.warn(`${r.prefix("events")}corral never sends ${quiet.join(", ")}`);
  const bufferSize = r.read("buffer_size", names, v.positive, LISTENER_DEFAULTS.bufferSize);
  if (r.read("redirect_stderr", names, v.boolean, false)) {
    r.fail("redirect_stderr", expected("false: a listener's stdout carries the event protocol", "true"));
  }
  const handler = r.read("result_handler", names, (t) => t.trim(), DEFAULT_RESULT_HANDLER);
  if (handler !== DEFAULT_RESULT_HANDLER) {
    ctx.warn(`${r.prefix("result_handler")}corral cannot run ${JSON.stringify(handler)} (only ${DEFAULT_RESULT_HANDLER}): every RESULT acknowledges its event, whatever it says`);
  }
  // The pool's priority defaults to -1 (listeners start first, stop last); its processes' own to 999.
  const priority = r.read("priority", names, v.integer, LISTENER_DEFAULTS.priority);
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
