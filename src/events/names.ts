// supervisord's event type names and their parents (supervisor/events.py's EventTypes):
// a listener subscribed to a parent name (PROCESS_STATE) gets every event under it.

/** Every event type name supervisord knows, mapped to its parent ("" for EVENT, the root). */
export const EVENT_PARENTS: Readonly<Record<string, string>> = {
  EVENT: "",
  PROCESS_STATE: "EVENT",
  PROCESS_STATE_STOPPED: "PROCESS_STATE",
  PROCESS_STATE_EXITED: "PROCESS_STATE",
  PROCESS_STATE_STARTING: "PROCESS_STATE",
  PROCESS_STATE_STOPPING: "PROCESS_STATE",
  PROCESS_STATE_BACKOFF: "PROCESS_STATE",
  PROCESS_STATE_FATAL: "PROCESS_STATE",
  PROCESS_STATE_RUNNING: "PROCESS_STATE",
  PROCESS_STATE_UNKNOWN: "PROCESS_STATE",
  PROCESS_COMMUNICATION: "EVENT",
  PROCESS_COMMUNICATION_STDOUT: "PROCESS_COMMUNICATION",
  PROCESS_COMMUNICATION_STDERR: "PROCESS_COMMUNICATION",
  PROCESS_LOG: "EVENT",
  PROCESS_LOG_STDOUT: "PROCESS_LOG",
  PROCESS_LOG_STDERR: "PROCESS_LOG",
  REMOTE_COMMUNICATION: "EVENT",
  SUPERVISOR_STATE_CHANGE: "EVENT",
  SUPERVISOR_STATE_CHANGE_RUNNING: "SUPERVISOR_STATE_CHANGE",
  SUPERVISOR_STATE_CHANGE_STOPPING: "SUPERVISOR_STATE_CHANGE",
  TICK: "EVENT",
  TICK_5: "TICK",
  TICK_60: "TICK",
  TICK_3600: "TICK",
  PROCESS_GROUP: "EVENT",
  PROCESS_GROUP_ADDED: "PROCESS_GROUP",
  PROCESS_GROUP_REMOVED: "PROCESS_GROUP",
};

/** Event types supervisord has that corral never sends (a subscription to them is accepted and stays quiet). */
export const NEVER_SENT: readonly string[] = ["PROCESS_COMMUNICATION_STDOUT", "PROCESS_COMMUNICATION_STDERR"];

/**
 * Whether `name` is one of supervisord's event type names (upper case).
 * @example isEventName("TICK_60") // true
 */
export function isEventName(name: string): boolean {
  return Object.hasOwn(EVENT_PARENTS, name);
}

/**
 * Whether a listener subscribed to `subscriptions` gets an event of type `name`: the name
 * itself or any of its parents is subscribed (EVENT gets everything).
 * @example subscribes(["PROCESS_STATE"], "PROCESS_STATE_FATAL") // true
 */
export function subscribes(subscriptions: readonly string[], name: string): boolean {
  for (let n: string | undefined = name; n; n = EVENT_PARENTS[n]) if (subscriptions.includes(n)) return true;
  return false;
}
