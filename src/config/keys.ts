// Every key a [program:x] section may hold: supervisord's (with their defaults), corral's own,
// and supervisord's that corral accepts without acting on them.
import { SIGTERM } from "../os/signals.ts";
import { byteSize } from "./values.ts";
import type { AutoRestart } from "./types.ts";

/** supervisord's defaults for the program keys corral acts on. */
export const DEFAULTS = {
  processName: "%(program_name)s",
  numprocs: 1,
  numprocsStart: 0,
  priority: 999,
  autostart: true,
  autorestart: "unexpected" as AutoRestart,
  startsecs: 1,
  startretries: 3,
  exitcodes: [0] as readonly number[],
  stopsignal: SIGTERM,
  stopwaitsecs: 10,
  logfileMaxBytes: 50 * 1024 * 1024,
  logfileBackups: 10,
} as const;

/** supervisord program keys corral acts on. */
export const SUPERVISORD_KEYS: readonly string[] = [
  "command", "process_name", "numprocs", "numprocs_start", "priority", "autostart", "autorestart",
  "startsecs", "startretries", "exitcodes", "stopsignal", "stopwaitsecs", "stopasgroup", "killasgroup", "user", "directory", "umask",
  "environment", "redirect_stderr", "stdout_logfile", "stdout_logfile_maxbytes", "stdout_logfile_backups",
  "stderr_logfile", "stderr_logfile_maxbytes", "stderr_logfile_backups",
  "stdout_events_enabled", "stderr_events_enabled", "serverurl", "stdout_syslog", "stderr_syslog",
];

/** Keys an [eventlistener:x] section has on top of a program's. */
export const LISTENER_KEYS: readonly string[] = ["events", "buffer_size", "result_handler"];

/** Keys an [fcgi-program:x] section has on top of a program's. */
export const FCGI_KEYS: readonly string[] = ["socket", "socket_owner", "socket_mode", "socket_backlog"];

/** supervisord's defaults for the listener keys (listeners start first: priority -1). */
export const LISTENER_DEFAULTS = { bufferSize: 10, priority: -1 } as const;

/** [group:x] keys (supervisord reads only these two) and its default priority. */
export const GROUP_KEYS: readonly string[] = ["programs", "priority"];

/** corral's own program keys. */
export const CORRAL_KEYS: readonly string[] = ["critical", "job", "depends_on", "ready", "log_prefix", "log_format", "inherit"];

/** A supervisord key corral accepts but ignores: its value is still checked; `note` is warned when it asks for something. */
export interface NoEffectKey {
  check: (value: string) => unknown;
  note?: string;
}

const EVENTS = "corral sends no PROCESS_COMMUNICATION events";

/** supervisord program keys accepted with no effect. */
export const NO_EFFECT_KEYS: Readonly<Record<string, NoEffectKey>> = {
  stdout_capture_maxbytes: { check: byteSize, note: EVENTS },
  stderr_capture_maxbytes: { check: byteSize, note: EVENTS },
};

/**
 * Whether corral knows a key of a [program:x] (or, with `listener`, an [eventlistener:x]);
 * others are warned about and ignored, as supervisord ignores them.
 * @example isProgramKey("pidfile") // false
 */
export function isProgramKey(key: string, listener = false, fcgi = false): boolean {
  return SUPERVISORD_KEYS.includes(key) || CORRAL_KEYS.includes(key) || key in NO_EFFECT_KEYS || (listener && LISTENER_KEYS.includes(key)) ||
    (fcgi && FCGI_KEYS.includes(key));
}

/**
 * The one warning for a key supervisord would not read either.
 * @example ignoredKey("/etc/x.conf:4: ", "program:web", "username") // "/etc/x.conf:4: [program:web] username: ignored, as supervisord does"
 */
export function ignoredKey(at: string, section: string, key: string): string {
  return `${at}[${section}] ${key}: ignored, as supervisord does`;
}
