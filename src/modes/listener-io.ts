// The I/O of [eventlistener:x] processes: spawned with a stdin pipe corral writes events to
// and a stdout pipe corral reads the protocol from (never logged); stderr goes to its log
// target as a program's does, through the log pump when it must (a prefix, JSON lines, a
// rotating stderr_logfile, stderr_events_enabled). What to write and when is the machine's
// (core/event-hub.ts).
import type { ProgramSpec } from "../config/types.ts";
import { EAGAIN, EPIPE, type ChildExit, type Os, type PipeReader } from "../os/types.ts";
import { warn } from "../log.ts";
import { pumpedStdio } from "../logs/pump.ts";
import { prepareSpawn } from "./spawn-spec.ts";
import { outputToLoop } from "./programs.ts";
import type { LoopHandle } from "./loop.ts";

/** Retry delay when a listener's stdin pipe is full (it reads slowly). */
const WRITE_RETRY_MS = 20;

const encoder = new TextEncoder();

/** What the loop needs of listener I/O. */
export interface ListenerChannels {
  /** Spawns `program` with its stdin and stdout on pipes of corral's; the pid or -errno. */
  spawn(program: ProgramSpec, onExit: (exit: ChildExit) => void): number;
  /** Writes `data` to listener `name`'s stdin. */
  send(name: string, data: string): void;
}

interface Channel {
  pid: number;
  stdin: number;
  stdout: PipeReader;
  /** Bytes still to write (events are small; a full pipe waits for the listener to read). */
  pending: Uint8Array;
  retry?: ReturnType<Os["setTimer"]>;
}

/**
 * Spawns listener processes and carries the bytes of their protocol.
 * @example
 * const io = new ListenerIo(os, pid1, (name, data) => console.log(`${name} wrote ${data.length} bytes`));
 * if (io.spawn(spec, (exit) => console.log(exit.code)) > 0) io.send(spec.name, "ver:3.0 server:supervisor serial:0 pool:p poolserial:0 eventname:TICK_5 len:6\nwhen:5");
 */
export class ListenerIo implements ListenerChannels {
  readonly #os: Os;
  readonly #loop: LoopHandle;
  readonly #onOutput: (name: string, data: Uint8Array) => void;
  readonly #channels = new Map<string, Channel>();

  constructor(os: Os, loop: LoopHandle, onOutput: (name: string, data: Uint8Array) => void) {
    this.#os = os;
    this.#loop = loop;
    this.#onOutput = onOutput;
  }

  /** Spawns `program` with its stdin and stdout on pipes of corral's; the pid or -errno. */
  spawn(program: ProgramSpec, onExit: (exit: ChildExit) => void): number {
    const os = this.#os;
    const name = program.name;
    this.#close(name);
    const inPipe = os.pipe();
    if (typeof inPipe === "number") return inPipe;
    const outPipe = os.pipe();
    if (typeof outPipe === "number") {
      os.closeFd(inPipe[0]);
      os.closeFd(inPipe[1]);
      return outPipe;
    }
    // stdout is the pipe: its log target is never opened, nor is it ever an event source.
    const protocol: ProgramSpec = { ...program, stdout: { kind: "null" }, stdoutEvents: false };
    let prepared;
    try {
      prepared = prepareSpawn(os, protocol, os.env, inPipe[0]);
    } catch (err) {
      for (const fd of [...inPipe, ...outPipe]) os.closeFd(fd);
      throw err;
    }
    const { spec, release } = prepared;
    let pid = 0;
    const piped = pumpedStdio(os, this.#loop.atExit, protocol, spec.stdio!, program.logFormat ?? "text", outputToLoop(this.#loop, name, () => pid));
    spec.stdio = [inPipe[0], outPipe[1], piped.stdio[2]];
    const spawned = this.#loop.reaper.spawnWith(spec, (exit) => {
      if (this.#channels.get(name)?.pid === exit.pid) this.#close(name);
      onExit(exit);
    });
    pid = Math.max(spawned, 0);
    release();
    piped.release();
    piped.spawned(pid);
    os.closeFd(inPipe[0]);
    os.closeFd(outPipe[1]);
    if (spawned < 0) {
      os.closeFd(inPipe[1]);
      os.closeFd(outPipe[0]);
      return spawned;
    }
    os.setNonBlocking(inPipe[1], true);
    const stdout = os.readPipe(outPipe[0], (chunk) => this.#onOutput(name, chunk), () => {});
    this.#channels.set(name, { pid, stdin: inPipe[1], stdout, pending: new Uint8Array(0) });
    return pid;
  }

  /** Writes `data` to listener `name`'s stdin (queued behind what a full pipe still holds). */
  send(name: string, data: string): void {
    const c = this.#channels.get(name);
    if (!c) return;
    const bytes = encoder.encode(data);
    const joined = new Uint8Array(c.pending.length + bytes.length);
    joined.set(c.pending);
    joined.set(bytes, c.pending.length);
    c.pending = joined;
    this.#flush(name, c);
  }

  #flush(name: string, c: Channel): void {
    while (c.pending.length) {
      const n = this.#os.writeSome(c.stdin, c.pending);
      if (n === -EAGAIN) {
        c.retry ??= this.#os.setTimer(WRITE_RETRY_MS, () => {
          c.retry = undefined;
          if (this.#channels.get(name) === c) this.#flush(name, c);
        });
        return;
      }
      if (n < 0) {
        // EPIPE: the listener closed stdin or died; its exit is reported and it is restarted.
        if (n !== -EPIPE) warn(`${name}: cannot write an event to its stdin (errno ${-n})`);
        c.pending = new Uint8Array(0);
        return;
      }
      c.pending = c.pending.subarray(n);
    }
  }

  #close(name: string): void {
    const c = this.#channels.get(name);
    if (!c) return;
    this.#channels.delete(name);
    this.#os.clearTimer(c.retry);
    this.#os.closeFd(c.stdin);
    // Its last words may still be in the pipe; they no longer matter (the pool forgets a gone listener).
    c.stdout.close();
  }
}

/**
 * The listener ports of config mode (ProgramPorts.listeners): loaded only by runs that have pools.
 * @example const io = openListeners(os, pid1, (name, data) => console.log(name, data.length));
 */
export function openListeners(os: Os, loop: LoopHandle, onOutput: (name: string, data: Uint8Array) => void): ListenerChannels {
  return new ListenerIo(os, loop, onOutput);
}
