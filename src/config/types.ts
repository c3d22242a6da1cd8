// What a validated config gives the supervisor: programs as plain data.

/** Where program output goes: corral's own stdout/stderr, a file, or nowhere. */
export type LogTarget =
  | { kind: "inherit"; fd: 1 | 2 }
  | { kind: "file"; path: string; maxBytes: number; backups: number }
  | { kind: "null" };

/** Restart policy, as supervisord's autorestart. */
export type AutoRestart = "true" | "false" | "unexpected";

/** One process to supervise (a [program:x] with numprocs=N gives N of these). */
export interface ProgramSpec {
  /** process_name after expansion (unique). */
  name: string;
  /** The [program:x] section name (group). */
  group: string;
  /** argv after shell-like splitting and %(...)s expansion. */
  command: string[];
  priority: number;
  autostart: boolean;
  autorestart: AutoRestart;
  startsecs: number;
  startretries: number;
  exitcodes: number[];
  stopsignal: number;
  stopwaitsecs: number;
  user?: { name: string; uid: number; gid: number; home: string };
  directory?: string;
  umask?: number;
  /** Extra environment (KEY -> VALUE), added to corral's own. */
  environment: Record<string, string>;
  redirectStderr: boolean;
  stdout: LogTarget;
  stderr: LogTarget;
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
  /** file:line of the section, for messages. */
  origin: string;
}

/** The whole config. */
export interface Config {
  programs: ProgramSpec[];
  /** One-line warnings (ignored sections, supervisord-only keys). */
  warnings: string[];
  /** Files read, in order (for SIGHUP reload). */
  files: string[];
}
