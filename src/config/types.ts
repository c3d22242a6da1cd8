// What a validated config gives the supervisor: programs as plain data.
import type { HttpServerConfig } from "./http-server.ts";

/** Where program output goes: corral's own stdout/stderr, a file, or nowhere. */
export type LogTarget =
  | { kind: "inherit"; fd: 1 | 2 }
  | { kind: "file"; path: string; maxBytes: number; backups: number }
  | { kind: "null" };

/** An [fcgi-program:x] socket= (with socket_owner=, socket_mode=, socket_backlog=), as supervisord reads it. */
export interface FcgiSocket {
  /** supervisord's url: `tcp://HOST:PORT` (host lower-cased) or `unix:///ABSOLUTE/PATH` (normalized). */
  url: string;
  /** listen() backlog; undefined leaves it to the system (supervisord's socket.SOMAXCONN). */
  backlog?: number;
  /** unix sockets: chmod (default 0700) and chown [uid, gid] (default: the program's user= when it differs from corral's). */
  mode?: number;
  owner?: [number, number];
}

/** Restart policy, as supervisord's autorestart. */
export type AutoRestart = "true" | "false" | "unexpected";

/** One process to supervise (a [program:x] with numprocs=N gives N of these). */
export interface ProgramSpec {
  /** Unique: the process_name after expansion; `GROUP:PROCESS` for a member of a [group:x] or an
   * [eventlistener:x] pool (supervisord's namespec as supervisorctl shows it: PROCESS alone when the two are equal). */
  name: string;
  /** supervisord's group: the [group:x] that lists this program, else the program's own name. */
  group: string;
  /** The [program:x] (or [eventlistener:x]) section name; depends_on= names these. */
  program?: string;
  /** The group's priority (supervisord orders groups by it): [group:x] priority=, else the program's. */
  groupPriority?: number;
  /** argv after shell-like splitting and %(...)s expansion ([] when spawnError says why it cannot be split). */
  command: string[];
  /** command= as written, %(...)s expanded (what supervisord keeps and shows). */
  commandLine?: string;
  /** Set when command= cannot be split (an unclosed quote, nothing at all): supervisord accepts the
   * config and fails the program at each spawn with this spawnerr (BACKOFF, then FATAL). */
  spawnError?: string;
  /** [fcgi-program:x]: the socket corral opens once for the pool and hands to every process as its stdin (fd 0). */
  socket?: FcgiSocket;
  priority: number;
  autostart: boolean;
  autorestart: AutoRestart;
  startsecs: number;
  startretries: number;
  exitcodes: number[];
  stopsignal: number;
  stopwaitsecs: number;
  /** stopasgroup= / killasgroup= (supervisord's defaults: false, and killasgroup follows stopasgroup):
   * the stop signal / the SIGKILL after stopwaitsecs go to the whole process group, not the main process only. */
  stopasgroup?: boolean;
  killasgroup?: boolean;
  /** `groups`: every gid the process runs with (the primary first, then /etc/group's), as initgroups sets them. */
  user?: { name: string; uid: number; gid: number; home: string; groups?: number[] };
  directory?: string;
  umask?: number;
  /** serverurl= (not AUTO): the SUPERVISOR_SERVER_URL this program gets instead of corral's own. */
  serverUrl?: string;
  /** Extra environment (KEY -> VALUE), added to corral's own. */
  environment: Record<string, string>;
  redirectStderr: boolean;
  stdout: LogTarget;
  stderr: LogTarget;
  /** stdout_events_enabled / stderr_events_enabled: output, as read, becomes PROCESS_LOG_STDOUT/STDERR events. */
  stdoutEvents?: boolean;
  stderrEvents?: boolean;
  /** corral keys */
  critical: boolean;
  job?: string;
  /** Process names this one waits for (a program named in depends_on= stands for all its processes). */
  dependsOn: string[];
  /** Readiness probe text as written (`http://…`, `tcp:H:P`, `exec:CMD`), undefined = up for startsecs. */
  ready?: string;
  /** log_prefix=; undefined = as the --log-prefix flag says. */
  logPrefix?: boolean;
  /** log_format= (text or json); undefined = as the --log-format flag says. */
  logFormat?: "text" | "json";
  /** inherit=: what corral was handed that this program receives too (docs/socket-activation-and-readiness.md). */
  inherit?: Inherited[];
  /** file:line of the section, for messages. */
  origin: string;
}

/** What a program may inherit= from corral: the descriptors of socket activation (LISTEN_FDS,
 * --preserve-fds) with LISTEN_PID set to its own pid, or NOTIFY_SOCKET (others never get it). */
export const INHERITABLE = ["listen_fds", "notify_socket"] as const;
/** One of INHERITABLE. */
export type Inherited = (typeof INHERITABLE)[number];

/** A [group:x]: programs= members, started and stopped together, ordered by `priority`. */
export interface GroupSpec {
  name: string;
  priority: number;
  /** The [program:x] names it lists, as written. */
  programs: string[];
  /** Process names of its members (`name:process`). */
  processes: string[];
  /** file:line of the section. */
  origin: string;
}

/** The only result_handler corral runs: OK acknowledges, anything else rejects and re-sends. */
export const DEFAULT_RESULT_HANDLER = "supervisor.dispatchers:default_handler";

/** The supervisor-stdout plugin's handler (common in Docker images): corral prints what it prints. */
export const SUPERVISOR_STDOUT_HANDLER = "supervisor_stdout:event_handler";

/** An [eventlistener:x] pool: processes supervised like programs that read events on stdin. */
export interface ListenerSpec {
  /** The pool name (the section's x): the `pool:` of every event header. */
  name: string;
  /** Subscribed event type names, upper case, as written (parents such as PROCESS_STATE included). */
  events: string[];
  /** Events kept while every listener is busy; the oldest is dropped beyond it. */
  bufferSize: number;
  /** result_handler= as written (DEFAULT_RESULT_HANDLER unless it says otherwise). corral runs only
   * the default; with any other, every RESULT acknowledges its event (warned about at load). */
  resultHandler: string;
  priority: number;
  /** The pool's processes (numprocs of them), group = pool name; stdout is the protocol channel. */
  processes: ProgramSpec[];
  origin: string;
}

/** The whole config. */
export interface Config {
  /** Programs to run, in start order; none is fine (a base image's config before programs are added). */
  programs: ProgramSpec[];
  /** [group:x] sections (programs of no group are their own group, not listed here). */
  groups: GroupSpec[];
  /** [eventlistener:x] pools. */
  listeners: ListenerSpec[];
  /** [supervisord] pidfile=, when set (writing it is the runner's). */
  pidfile?: string;
  /** [supervisord] tail_maxbytes= (corral's own), when set: in-memory tail bytes per program channel. */
  tailBytes?: number;
  /** [supervisord] environment=, already merged into every program's environment (program wins). */
  environment: Record<string, string>;
  /** [unix_http_server], [inet_http_server], [supervisorctl]: where the control API is served. */
  http: HttpServerConfig;
  /** One-line warnings (ignored sections, supervisord-only keys). */
  warnings: string[];
  /** Files read, in order (for SIGHUP reload). */
  files: string[];
}
