// A fake Os with fake time: processes are records, signals are calls, the clock moves only
// when a test calls advance(). The real loop (src/modes/loop.ts) runs on it unchanged.
import { ECONNREFUSED, ENOENT, ESRCH, type ChildExit, type DatagramSocket, type FdFacts, type Os, type PipeReader, type SpawnSpec, type Timer } from "../../src/os/types.ts";

const EEXIST = 17;

/** Thrown by exit(): ends whatever the loop was doing, as process.exit would. */
export class FakeExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A fake process: a child of corral (reaped) or an adopted orphan. */
export interface FakeProcess {
  pid: number;
  pgid: number;
  argv: string[];
  spec: SpawnSpec | undefined;
  alive: boolean;
  /** Signals it survives (as if caught); every other signal but 0, CHLD, CONT, WINCH ends it. */
  ignores: Set<number>;
}

const HARMLESS = new Set([0, 17, 18, 28]);

interface PendingTimer {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * Builds a fake Os at time `start` (ms). `commands` decides what a spawn does: a number is the
 * -errno spawn returns (ENOENT: not found), an array the signals the process survives.
 */
export class FakeOs implements Os {
  readonly runtime = "node" as const;
  pid = 1;
  args: string[] = [];
  invokedAs = "corral";
  env: Record<string, string | undefined> = { PATH: "/usr/bin:/bin" };
  /** What each spawn of a file does: -errno, or the signals the process survives. */
  commands = new Map<string, number | number[]>();
  readonly processes = new Map<number, FakeProcess>();
  readonly spawned: FakeProcess[] = [];
  /** Every kill(2) made, in order. */
  readonly kills: Array<{ pid: number; signo: number; at: number }> = [];
  readonly stderr: string[] = [];
  readonly stdout: string[] = [];
  readonly files = new Map<string, string>();
  readonly sockets = new Map<string, (data: Uint8Array, from: string | undefined) => void>();
  readonly sent: Array<{ to: string; data: Uint8Array }> = [];
  exitCode: number | undefined;
  #now: number;
  #nextPid = 100;
  #timers: PendingTimer[] = [];
  #nextTimer = 1;
  #exits: ChildExit[] = [];
  #handlers = new Map<number, Array<(signo: number) => void>>();
  #umask = 0o022;

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  // --- test controls ---

  /** Moves the clock by `ms`, firing due timers in time order (each at its own time). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      this.#timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.#timers[0];
      if (!next || next.at > until) break;
      this.#timers.shift();
      this.#now = Math.max(this.#now, next.at);
      this.#guard(next.fn);
    }
    this.#now = until;
  }

  /** Delivers `signo` to corral's handlers. */
  signal(signo: number): void {
    for (const h of this.#handlers.get(signo) ?? []) this.#guard(() => h(signo));
  }

  /** Ends process `pid` with `code` (or `signal`) and sends corral SIGCHLD. */
  exitProcess(pid: number, code: number, signal = 0): void {
    const p = this.processes.get(pid);
    if (!p?.alive) throw new Error(`fake: no live process ${pid}`);
    p.alive = false;
    this.#exits.push({ pid, code, signal });
    this.signal(17);
  }

  /** A process corral did not start but will reap (an orphan reparented to PID 1), in group `pgid`. */
  adopt(argv: string[], pgid: number, ignores: number[] = []): FakeProcess {
    const p: FakeProcess = { pid: this.#nextPid++, pgid, argv, spec: undefined, alive: true, ignores: new Set(ignores) };
    this.processes.set(p.pid, p);
    return p;
  }

  /** The last spawned process whose argv[0] is `file`. */
  last(file: string): FakeProcess {
    const p = this.spawned.filter((s) => s.argv[0] === file).at(-1);
    if (!p) throw new Error(`fake: ${file} was never spawned`);
    return p;
  }

  /** Sends a datagram to the socket bound at `path`, from the bound path `from`. */
  datagram(path: string, text: string, from?: string): void {
    const on = this.sockets.get(path);
    if (!on) throw new Error(`fake: nothing bound at ${path}`);
    this.#guard(() => on(new TextEncoder().encode(text), from));
  }

  /** corral's diagnostics so far, one line each, without the "corral: " prefix. */
  get log(): string[] {
    return this.stderr.join("").split("\n").filter(Boolean).map((l) => l.replace(/^corral: /, ""));
  }

  #guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof FakeExit)) throw err;
    }
  }

  #deliver(p: FakeProcess, signo: number): void {
    if (!p.alive || HARMLESS.has(signo) || p.ignores.has(signo) || signo === 19) return;
    // It dies a moment later, as a real process does: SIGCHLD comes from a later turn.
    p.alive = false;
    this.setTimer(0, () => {
      this.#exits.push({ pid: p.pid, code: -1, signal: signo });
      this.signal(17);
    });
  }

  // --- Os ---

  onSignals(signals: readonly number[], handler: (signo: number) => void): void {
    for (const s of signals) this.#handlers.set(s, [...(this.#handlers.get(s) ?? []), handler]);
  }
  forwardRealtime(): void {}
  chdir(): number { return 0; }
  cwd(): string { return "/"; }
  spawn(spec: SpawnSpec): number {
    const behaviour = this.commands.get(spec.file);
    if (typeof behaviour === "number") return behaviour;
    const pid = this.#nextPid++;
    const p: FakeProcess = { pid, pgid: spec.newGroup ? pid : this.pid, argv: spec.argv, spec, alive: true, ignores: new Set(behaviour ?? []) };
    this.processes.set(pid, p);
    this.spawned.push(p);
    return pid;
  }
  reap(): { exits: ChildExit[]; remaining: boolean } {
    const exits = this.#exits.splice(0);
    for (const e of exits) this.processes.delete(e.pid);
    return { exits, remaining: this.processes.size > 0 };
  }
  kill(pid: number, signo: number): number {
    this.kills.push({ pid, signo, at: this.#now });
    const targets = [...this.processes.values()].filter((p) => p.alive &&
      (pid === -1 ? true : pid < 0 ? p.pgid === -pid : p.pid === pid));
    if (targets.length === 0) return -ESRCH;
    for (const p of targets) this.#deliver(p, signo);
    return 0;
  }
  /** Every live fake process counts as a descendant (the fake has one level of children). */
  descendants(): number[] { return [...this.processes.values()].filter((p) => p.alive).map((p) => p.pid); }
  processState(pid: number): string | undefined { return this.processes.get(pid)?.alive ? "S" : undefined; }
  setSubreaper(): number { return 0; }
  isatty(): boolean { return false; }
  lockFile(): number { return -ENOENT; }
  closeFd(): void {}
  writeSome(fd: number, data: Uint8Array): number {
    (fd === 1 ? this.stdout : this.stderr).push(new TextDecoder().decode(data));
    return data.length;
  }
  setNonBlocking(): number { return 0; }
  exit(code: number): never {
    this.exitCode ??= code;
    throw new FakeExit(code);
  }
  bindDatagram(path: string, onMessage: (data: Uint8Array, from: string | undefined) => void): DatagramSocket {
    this.sockets.set(path, onMessage);
    return {
      sendTo: async (to, data) => {
        this.sent.push({ to, data });
        return 0;
      },
      close: () => void this.sockets.delete(path),
    };
  }
  async sendDatagram(path: string): Promise<number> {
    return this.sockets.has(path) ? 0 : -ECONNREFUSED;
  }
  /** What notify() sent, by socket. */
  readonly notified: Array<{ socket: string; message: string }> = [];
  notify(socket: string, message: string): number {
    this.notified.push({ socket, message });
    return 0;
  }
  /** What is open at each fd above 2: nothing, unless a test says. */
  fdFacts: (fd: number) => FdFacts | undefined = () => undefined;
  listenStream(): number { return -38; }
  pipe(): number { return -38; }
  readPipe(): PipeReader { throw new Error("fake: no pipes"); }
  readSome(): number { return 0; }
  reopenNonBlocking(fd: number): number { return fd; }
  /** The log pump: not started (spawns then keep their descriptors), counted when reopened. */
  startLogPump(): number { return -38; }
  addLogRoute(): number { return -38; }
  setLogRoutePid(): void {}
  reopenedLogs = 0;
  reopenLogs(): number { this.reopenedLogs++; return 0; }
  flushLogs(): void {}
  /** In-memory tails: none (programs keep their descriptors). */
  openTail(_maxBytes: number): number { return -38; }
  writeTail(_id: number, _data: Uint8Array): void {}
  tailSize(_id: number): number { return -2; }
  readTail(_id: number, _offset: number, _length: number): Uint8Array | number { return -2; }
  clearTail(_id: number): void {}
  now(): number { return this.#now; }
  setTimer(ms: number, fn: () => void): Timer {
    const t = { id: this.#nextTimer++, at: this.#now + ms, fn };
    this.#timers.push(t);
    return t;
  }
  clearTimer(timer: Timer | undefined): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
  }
  onUncaught(): void {}
  async writeStdout(text: string): Promise<void> { this.stdout.push(text); }
  writeStderr(text: string): void { this.stderr.push(text); }
  umask(mask: number): number {
    const old = this.#umask;
    this.#umask = mask;
    return old;
  }
  makeDirectory(): void {}
  exists(path: string): boolean { return this.files.has(path) || this.sockets.has(path); }
  removeFile(path: string): boolean { return this.files.delete(path); }
  chmod(): void {}
  readText(path: string): string | undefined { return this.files.get(path); }
  writeNewFile(path: string, text: string): void {
    if (this.files.has(path)) throw Object.assign(new Error(`EEXIST: ${path}`), { errno: -EEXIST });
    this.files.set(path, text);
  }
  rename(from: string, to: string): void {
    const text = this.files.get(from);
    if (text === undefined) throw new Error(`ENOENT: ${from}`);
    this.files.delete(from);
    this.files.set(to, text);
  }
  openFile(): number { return 40; }
  closeFile(): void {}
  listDirectory(): Array<{ name: string; directory: boolean }> | undefined { return undefined; }
  tmpDir(): string { return "/tmp"; }
  errnoName(errno: number): string { return `errno ${errno}`; }
  async httpStatus(): Promise<{ error: string }> { return { error: "ECONNREFUSED" }; }
  async tcpConnect(): Promise<string | undefined> { return "ECONNREFUSED"; }
}
