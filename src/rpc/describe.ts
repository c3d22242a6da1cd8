// getProcessInfo's `description`, as supervisord's _interpretProcessInfo writes it.
import { ProcessStates } from "./states.ts";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * Python's str(timedelta) for whole seconds.
 * @example uptime(62) // "0:01:02"; uptime(90061) // "1 day, 1:01:01"
 */
export function uptime(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const clock = `${Math.floor(rest / 3600)}:${two(Math.floor((rest % 3600) / 60))}:${two(rest % 60)}`;
  return days ? `${days} day${days === 1 ? "" : "s"}, ${clock}` : clock;
}

/**
 * strftime('%b %d %I:%M %p') in local time.
 * @example stopTime(0) // "Jan 01 12:00 AM" (in UTC)
 */
export function stopTime(seconds: number): string {
  const d = new Date(seconds * 1000);
  const h = d.getHours() % 12 || 12;
  return `${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(h)}:${two(d.getMinutes())} ${d.getHours() < 12 ? "AM" : "PM"}`;
}

/** The fields the description is made of. */
export interface Describable {
  name: string;
  state: number;
  pid: number;
  start: number;
  stop: number;
  now: number;
  spawnerr: string;
}

/**
 * The status line's description: `pid 123, uptime 0:01:02`, the spawn error, the stop time or `Not started`.
 * @example describe({ name: "web", state: 20, pid: 7, start: 100, stop: 0, now: 162, spawnerr: "" }) // "pid 7, uptime 0:01:02"
 */
export function describe(info: Describable): string {
  switch (info.state) {
    case ProcessStates.RUNNING:
      return `pid ${info.pid}, uptime ${uptime(info.now - info.start)}`;
    case ProcessStates.FATAL:
    case ProcessStates.BACKOFF:
      return info.spawnerr || `unknown error (try "tail ${info.name}")`;
    case ProcessStates.STOPPED:
    case ProcessStates.EXITED:
      return info.start ? stopTime(info.stop) : "Not started";
    default:
      return "";
  }
}
