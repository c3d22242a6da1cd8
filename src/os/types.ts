// The one seam between corral and its runtime: everything OS-facing goes through `Os`.

/** What to start and how. */
export interface SpawnSpec {
  /** Program name or path; looked up in the child's PATH when it has no slash. */
  file: string;
  /** Full argv, argv[0] included. */
  argv: string[];
  /** Environment as KEY=VALUE strings. */
  env: string[];
  /** Working directory; default: the one corral was started in (corral itself moves to /). */
  cwd?: string;
  /** Own process group (pgid = pid). */
  newGroup?: boolean;
  /** Make the new group the terminal's foreground group (stdin must be a TTY, and corral's group
   * hold it); corral takes it back when the child is reaped. */
  foreground?: boolean;
  umask?: number;
  uid?: number;
  gid?: number;
  /** Supplementary groups to set (setgroups) before dropping to uid/gid; none given: the child keeps none. */
  groups?: number[];
  /** Descriptors for the child's 0, 1, 2 (default: corral's own). */
  stdio?: [number, number, number];
  /** Descriptors 3 .. 2+passFds stay open at their numbers (those corral was given: socket
   * activation, --preserve-fds); every other one above 2 is closed. Default 0. */
  passFds?: number;
  /** LISTEN_PID=<the child's own pid> in its environment, written by the child before its exec. */
  listenPid?: boolean;
}

/** Where `Os.listenStream` listens. */
export type StreamAddress = { host: string; port: number } | { path: string; mode?: number; owner?: readonly [uid: number, gid: number] };

/** What is open at one descriptor (`Os.fdFacts`). */
export interface FdFacts {
  closeOnExec: boolean;
  /** Its /proc/self/fd link: a path, "socket:[123]", "pipe:[45]", "anon_inode:[eventpoll]"… */
  target: string;
  /** How many other descriptors of corral name the same target (a pipe's other end, a dup). */
  sameTarget: number;
}

/** A reaped child. `code` is -1 when it was killed by `signal`. */
export interface ChildExit {
  pid: number;
  code: number;
  signal: number;
}

/** The runtime interface corral needs; `node.ts` and `deno.ts` implement it. */
export interface Os {
  readonly runtime: "node" | "deno";
  readonly pid: number;
  /** Arguments after the script path. */
  readonly args: string[];
  /** Base name corral was invoked as (`corral`, `container-run`, `sipid`). */
  readonly invokedAs: string;
  readonly env: Record<string, string | undefined>;
  /**
   * Calls `handler` for each listed signal; SIGCHLD included when asked for. A fault signal
   * (ILL/BUS/FPE/SEGV) or SIGPIPE arrives only when another process sent it; raised by the
   * kernel for corral itself, a fault ends corral and a SIGPIPE is dropped.
   */
  onSignals(signals: readonly number[], handler: (signo: number) => void): void;
  /** Forwards real-time signals from native code (JS cannot catch them). 0 drops them. */
  forwardRealtime(target: number, rewrites: ReadonlyMap<number, number>): void;
  /** chdir(2); 0 or -errno. */
  chdir(path: string): number;
  /** The working directory. */
  cwd(): string;
  /** Starts a process; returns its pid, or -errno when it could not be executed. */
  spawn(spec: SpawnSpec): number;
  /** Collects every exited child; `remaining` is false once corral has no children at all. */
  reap(): { exits: ChildExit[]; remaining: boolean };
  /** kill(2); returns 0 or -errno. */
  kill(pid: number, signo: number): number;
  /** Every process below `pid` (a subreaper's descendants), read from /proc natively. */
  descendants(pid: number): number[];
  /** The state letter of /proc/PID/stat ("R", "S", "Z", …), undefined when there is no such process. */
  processState(pid: number): string | undefined;
  setSubreaper(): number;
  isatty(fd: number): boolean;
  /** Takes an exclusive non-blocking flock; returns the fd or -errno. */
  lockFile(path: string): number;
  closeFd(fd: number): void;
  /** write(2) without blocking semantics of its own: bytes written or -errno. */
  writeSome(fd: number, data: Uint8Array): number;
  setNonBlocking(fd: number, on: boolean): number;
  exit(code: number): never;
  /**
   * Binds a unix datagram socket at `path` (the file must not exist) and calls `onMessage`
   * for each datagram of at most `maxBytes` (longer ones are ignored, never copied whole);
   * `data` is valid during the call only; `from` is the sender's bound path, if it has one.
   */
  bindDatagram(path: string, onMessage: (data: Uint8Array, from: string | undefined) => void, maxBytes?: number): DatagramSocket;
  /** Sends one datagram from an unbound socket; 0 or -errno (ECONNREFUSED: nobody bound). */
  sendDatagram(path: string, data: Uint8Array): Promise<number>;
  /** sd_notify(3): `message` as one datagram to `socket` (NOTIFY_SOCKET's value: a path, or
   * @name in the abstract namespace), at once; 0 or -errno. */
  notify(socket: string, message: string): number;
  /** What is open at descriptor `fd`, or undefined when nothing is. */
  fdFacts(fd: number): FdFacts | undefined;
  /**
   * A listening stream socket, blocking and close-on-exec, for programs' fd 0 ([fcgi-program:x]):
   * TCP on `host`:`port` with SO_REUSEADDR, or a unix socket file at `path` (a socket file
   * already there is replaced) chowned to `owner` and chmodded to `mode` when given. `backlog`
   * 0: SOMAXCONN. Its fd, or -errno (ENXIO: the host does not resolve; EEXIST: not a socket at `path`).
   */
  listenStream(address: StreamAddress, backlog: number): number;
  /** Starts the native log pump once (its own thread); `onEvent` gets what it reports. 0 or -errno. */
  startLogPump(onEvent: (event: LogEvent) => void): number;
  /** Hands the read end `fd` of a program's pipe to the pump (which then owns it): route id, or -errno. */
  addLogRoute(fd: number, route: LogRoute): number;
  /** The pid a route's JSON lines name (known once the program is spawned). */
  setLogRoutePid(route: number, pid: number): void;
  /** Reopens every log file the pump writes, by name (SIGUSR2 after logrotate); how many failed. */
  reopenLogs(): number;
  /** At exit: drains the pipes and writes everything out, waiting up to `ms` for readers still reading. */
  flushLogs(ms: number): void;
  /** A new in-memory tail keeping the last `maxBytes` bytes written to it (routes with `tail`, writeTail): its id, or -errno. */
  openTail(maxBytes: number): number;
  /** Appends to a tail (corral's own messages). */
  writeTail(id: number, data: Uint8Array): void;
  /** Bytes written to a tail since it was last cleared (a log file's size), or -errno. */
  tailSize(id: number): number;
  /** The bytes of [offset, offset + length) a tail still keeps (shorter where they are gone), or -errno. */
  readTail(id: number, offset: number, length: number): Uint8Array | number;
  /** Empties a tail (its size is 0 again). */
  clearTail(id: number): void;
  /** pipe(2), both ends close-on-exec: [read, write], or -errno. */
  pipe(): [read: number, write: number] | number;
  /**
   * Reads the pipe end `fd` as it becomes readable, never blocking the event loop:
   * `onData` per chunk, then `onEnd` once every writer is gone. The reader owns `fd`.
   */
  readPipe(fd: number, onData: (chunk: Uint8Array) => void, onEnd: () => void): PipeReader;
  /** read(2) into `into`: bytes read, 0 at end of file, or -errno (EAGAIN: nothing yet). */
  readSome(fd: number, into: Uint8Array): number;
  /** A fresh non-blocking write descriptor for the pipe or terminal behind `fd`, or -errno (ENOTSUP: neither). */
  reopenNonBlocking(fd: number): number;
  // The clock and timers: the loop's only source of time (a fake in tests).
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` (a pending timer keeps the event loop alive, as setTimeout). */
  setTimer(ms: number, fn: () => void): Timer;
  clearTimer(timer: Timer | undefined): void;
  /** Calls `handler` for errors nothing caught (PID 1 reports them and keeps running). */
  onUncaught(handler: (err: unknown) => void): void;

  // corral's own output (not its programs'): stdout for results, stderr for usage lines.
  /** Writes to stdout; resolves once written (EPIPE and other errors are ignored). */
  writeStdout(text: string): Promise<void>;
  /** Writes to stderr at once (blocking); for subcommands, never for PID 1's log. */
  writeStderr(text: string): void;

  // The few file operations control files, sockets and pidfiles need.
  /** umask(2): sets the mask, returns the previous one. */
  umask(mask: number): number;
  /** mkdir -p; throws naming the path on failure. */
  makeDirectory(path: string, mode?: number): void;
  /** Whether something (also a dangling symlink or a socket) is at `path`. */
  exists(path: string): boolean;
  /** Removes the file at `path`; false when it was not there or could not be removed. */
  removeFile(path: string): boolean;
  chmod(path: string, mode: number): void;
  /** The file's text, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Writes `text` into a new file (fails when `path` exists: a planted symlink is never followed). */
  writeNewFile(path: string, text: string, mode: number): void;
  /** rename(2); throws on failure. */
  rename(from: string, to: string): void;
  /** open(2) for reading ("r"), writing ("w") or appending ("a", created); the fd, throws on failure. */
  openFile(path: string, mode: "r" | "w" | "a"): number;
  /** Closes a descriptor of `openFile`. */
  closeFile(fd: number): void;
  /** The entries of a directory (not . and ..), or undefined when it cannot be read. */
  listDirectory(path: string): Array<{ name: string; directory: boolean }> | undefined;
  /** The directory for temporary files (TMPDIR, else /tmp). */
  tmpDir(): string;
  /** The symbolic name of a positive errno ("EACCES"), or "errno N". */
  errnoName(errno: number): string;

  // Health probes' network calls.
  /** One HTTP(S) GET: its status and Location, bounded by `timeoutMs`. */
  httpStatus(url: URL, timeoutMs: number): Promise<HttpAnswer>;
  /** One TCP connect: undefined once connected, else the error code (or "timeout"). */
  tcpConnect(host: string, port: number, timeoutMs: number): Promise<string | undefined>;
}

/** What one HTTP GET got: a status, a connection error (its code), or no answer in time. */
export type HttpAnswer = { status: number; location: string | undefined } | { error: string } | { timedOut: true };

/** A pending timer of `Os.setTimer`. */
export type Timer = { readonly timer: unique symbol } | object;

/** A pipe being read by `Os.readPipe`. */
export interface PipeReader {
  /** Stops reading and closes the descriptor (no `onEnd`). */
  close(): void;
  /** Stops reading for now: the writer on the other end blocks once the pipe is full. */
  pause(): void;
  resume(): void;
}

/** How the pump writes one program stream: bytes as they are, `prefix` + line, or one JSON object per line. */
export type LogFormat = "raw" | "prefix" | "json";

/** One program stream handed to the log pump. */
export interface LogRoute {
  /** Program name (JSON lines, drop notices). */
  name: string;
  stream: 1 | 2;
  format: LogFormat;
  /** corral's own stdout/stderr, or a file rotated at `maxBytes` (0: never) keeping `backups`. */
  to: { fd: 1 | 2 } | { path: string; maxBytes: number; backups: number };
  /** format "prefix": before each line, and before each later piece of a cut line. */
  prefix?: Uint8Array;
  continued?: Uint8Array;
  pid?: number;
  /** Report the raw output as "output" events (for event listeners). */
  events?: boolean;
  /** Also keep the raw output in this in-memory tail (Os.openTail). */
  tail?: number;
}

/** What the log pump reports. */
export type LogEvent =
  | { type: "dropped"; route: number; lines: number }
  | { type: "broken"; output: "stdout" | "stderr"; errno: number }
  | { type: "file-error"; path: string; errno: number }
  | { type: "ended"; route: number }
  /** `data` is valid during the call only (the pump reuses its buffer). */
  | { type: "output"; route: number; stream: 1 | 2; data: Uint8Array };

/** A bound datagram socket. */
export interface DatagramSocket {
  /** Replies to a bound sender; 0 or -errno. */
  sendTo(path: string, data: Uint8Array): Promise<number>;
  close(): void;
}

/** errno values corral reacts to. */
export const EPERM = 1, ENOENT = 2, ESRCH = 3, ECHILD = 10, EAGAIN = 11, EACCES = 13, ENOTDIR = 20;
export const ENXIO = 6, EEXIST = 17;
export const ECONNREFUSED = 111, ESTALE = 116;
export const EPIPE = 32;
