// The narrow port the control API runs against: what the supervisor shows and does.
// The method table (methods.ts) is pure over it; the runner implements it (see README in report).

/** One process as supervisord's getProcessInfo reports it (times in seconds since the epoch, 0 = never). */
export interface ProcessInfo {
  name: string;
  group: string;
  /** A ProcessStates code. */
  state: number;
  /** 0 when not running. */
  pid: number;
  start: number;
  stop: number;
  exitstatus: number;
  /** Why the last spawn failed ("" when it did not). */
  spawnerr: string;
  /** Log file paths, "" when the stream is not written to a file. */
  stdoutLogfile: string;
  stderrLogfile: string;
  /** A start was asked for but waits (depends_on not ready yet): start(wait) keeps waiting. */
  pending?: boolean;
  /** Start order: group priority, then process priority (supervisord's sort), then config order. */
  groupPriority: number;
  priority: number;
}

/** One configured process for getAllConfigInfo (active or only read by reread). */
export interface ConfigInfo {
  name: string;
  group: string;
  groupPriority: number;
  priority: number;
  autostart: boolean;
  command: string;
  directory: string;
  uid: number | null;
  exitcodes: number[];
  redirectStderr: boolean;
  startretries: number;
  startsecs: number;
  stopsignal: number;
  stopwaitsecs: number;
  /** killasgroup= (supervisord reports no stopasgroup here). */
  killasgroup: boolean;
  /** serverurl= as set, "none" when not (AUTO), as supervisord reports it. */
  serverurl: string;
  stdoutLogfile: string;
  stderrLogfile: string;
  stdoutLogfileMaxbytes: number;
  stdoutLogfileBackups: number;
  stderrLogfileMaxbytes: number;
  stderrLogfileBackups: number;
  /** stdout_events_enabled / stderr_events_enabled. */
  stdoutEvents: boolean;
  stderrEvents: boolean;
  /** Whether its group is in the running config. */
  inuse: boolean;
}

/** Why a start was refused before spawning (supervisord's NO_FILE / NOT_EXECUTABLE). */
export interface StartRefusal {
  fault: "NO_FILE" | "NOT_EXECUTABLE";
  text: string;
}

/** The reload diff by group name. */
export interface ConfigDiff {
  added: string[];
  changed: string[];
  removed: string[];
}

/** What `ready=` says about a process now. */
export interface Readiness {
  ready: boolean;
  /** Why not, in a few words ("" when ready). */
  reason: string;
}

/** Counts since corral started, for the web page and /metrics. */
export interface ProcessStats {
  /** Automatic restarts (autorestart after an exit, or a retry after a quick one). */
  restarts: number;
  /** Times the process exited (any way: it ended, was stopped, or was killed). */
  exits: number;
}

/**
 * The supervisor as the control API sees it. Calls arrive on the one loop; `start`, `stop`
 * and `signal` only ask (the state change is seen later through `processes()` and `changed()`).
 * @example if (!port.start("web", "web")) await port.changed(50); // undefined: web is STARTING; then woken by its next state change
 */
export interface ControlPort {
  /** Every process of the running config. */
  processes(): readonly ProcessInfo[];
  /** Every process of the config as last read (reread), with `inuse`. */
  configured(): readonly ConfigInfo[];
  /**
   * Begins a start; a refusal when the command cannot be run at all. On return the process is
   * STARTING, or BACKOFF/FATAL with `spawnerr`, or `pending` (waiting for its dependencies).
   */
  start(group: string, name: string): StartRefusal | undefined;
  /** Begins a stop (stopsignal, then SIGKILL after stopwaitsecs); a message when it cannot. */
  stop(group: string, name: string): string | undefined;
  /** Sends `signo` to the process; a message when it cannot. */
  signal(group: string, name: string, signo: number): string | undefined;
  /** Truncates the process's log files and reopens them; false when that failed. */
  clearLogs(group: string, name: string): boolean;
  /** Writes to the process's stdin; false when its stdin is closed. Absent: not supported. */
  writeStdin?(group: string, name: string, data: string): boolean;
  /** The process's ready= probe result (RUNNING processes without ready= are ready). */
  readiness(group: string, name: string): Readiness;
  /** The process's counts; undefined when unknown. Absent: not counted. */
  stats?(group: string, name: string): ProcessStats | undefined;
  /** Resolves at the next state change of any process, or after `timeoutMs`. */
  changed(timeoutMs: number): Promise<void>;
  /** Reads the config again: the diff against the running config, or why it cannot be read. */
  reread(): ConfigDiff | { error: string };
  /** Starts a group from the reread config: false when it is already running. Undefined: unknown. */
  addGroup(name: string): boolean | undefined;
  /** Drops a stopped group: false when a process still runs. Undefined: unknown. */
  removeGroup(name: string): boolean | undefined;
  /** Publishes a REMOTE_COMMUNICATION event to the listener pools that subscribe (absent: there are none). */
  remoteCommunication?(type: string, data: string): void;
  /** Ends corral (as SIGTERM would); the response goes out first. */
  shutdown(): void;
  /** Restarts every program with the config read again (supervisord's restart). */
  restart(): void;
  /** A SupervisorStates code. */
  supervisorState(): number;
  readonly pid: number;
  readonly identification: string;
  readonly version: string;
  /** corral's own log file, if it writes one (it logs to stderr: undefined). */
  readonly mainLogfile: string | undefined;
  /** Wall-clock milliseconds. */
  now(): number;
}

/** Reading log files (the Os side implements it with the file system). */
export interface LogFiles {
  /** The file's size, or undefined when it does not exist. */
  size(path: string): number | undefined;
  /** Up to `length` bytes from `offset`; throws when the file cannot be read. */
  read(path: string, offset: number, length: number): Uint8Array;
  /** The file's inode, to notice rotation; undefined when it does not exist. */
  inode(path: string): number | undefined;
  /** Empties an in-memory tail (logs/tails.ts): false when `path` names none. */
  clear?(path: string): boolean;
  /** The first offset still kept: 0 for a file, past the bytes an in-memory tail let go. */
  first?(path: string): number;
}
