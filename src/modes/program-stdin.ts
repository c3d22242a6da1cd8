// Config mode's stdin pipes: as under supervisord, every program's stdin is a pipe whose write
// end corral keeps, so the control API's sendProcessStdin can write to it. A program that
// reads its stdin waits (it is never sent end-of-file while it runs), as under supervisord.
import type { ProgramSpec } from "../config/types.ts";
import { EAGAIN, EPIPE, type Os } from "../os/types.ts";
import type { LoopHandle, ProgramPorts } from "./loop.ts";
import { spawnProgram } from "./programs.ts";

/** Retry delay when a program's stdin pipe is full (it reads slowly or not at all). */
const WRITE_RETRY_MS = 20;

const encoder = new TextEncoder();

interface Pipe {
  pid: number;
  fd: number;
  /** Bytes a full pipe could not take yet (supervisord's input buffer). */
  pending: Uint8Array;
  retry?: ReturnType<Os["setTimer"]>;
}

/**
 * The stdin pipes of one run's programs, by program name.
 * @example
 * const pipes = new StdinPipes();
 * const ports = { ...PROGRAM_PORTS, spawn: pipes.spawn };
 * pipes.write("web", "reload\n") // false: web has no live process with a stdin pipe
 */
export class StdinPipes {
  /** The Os of the spawns (the pipes are only ever written after one). */
  #os: Os | undefined;
  readonly #pipes = new Map<string, Pipe>();

  /** ProgramPorts.spawn with a stdin pipe (unless `stdin` is corral's own or a descriptor, such as an fcgi socket). */
  readonly spawn: ProgramPorts["spawn"] = (os: Os, loop: LoopHandle, program: ProgramSpec, stdin, onExit) => {
    this.#os = os;
    const name = program.name;
    const ends = stdin === false ? os.pipe() : undefined;
    if (ends === undefined || typeof ends === "number") return spawnProgram(os, loop, program, stdin, onExit);
    this.#close(name);
    const pid = spawnProgram(os, loop, program, ends[0], (exit) => {
      if (this.#pipes.get(name)?.pid === exit.pid) this.#close(name);
      onExit(exit);
    });
    os.closeFd(ends[0]);
    if (pid < 0) {
      os.closeFd(ends[1]);
      return pid;
    }
    os.setNonBlocking(ends[1], true);
    this.#pipes.set(name, { pid, fd: ends[1], pending: new Uint8Array(0) });
    return pid;
  };

  /**
   * Writes `data` (UTF-8) to program `name`'s stdin, queued behind what a full pipe still holds;
   * false when it has no stdin to write to (not running, or it closed its stdin: supervisord's NO_FILE).
   * @example new StdinPipes().write("web", "hello\n") // false until web runs
   */
  write(name: string, data: string): boolean {
    const p = this.#pipes.get(name);
    if (!p || !this.#os) return false;
    const bytes = encoder.encode(data);
    const joined = new Uint8Array(p.pending.length + bytes.length);
    joined.set(p.pending);
    joined.set(bytes, p.pending.length);
    p.pending = joined;
    return this.#flush(name, p);
  }

  #flush(name: string, p: Pipe): boolean {
    const os = this.#os!;
    while (p.pending.length) {
      const n = os.writeSome(p.fd, p.pending);
      if (n === -EAGAIN) {
        p.retry ??= os.setTimer(WRITE_RETRY_MS, () => {
          p.retry = undefined;
          if (this.#pipes.get(name) === p) this.#flush(name, p);
        });
        return true;
      }
      if (n < 0) {
        // EPIPE: it closed its stdin; nothing more can be written to this process.
        if (n === -EPIPE) this.#close(name);
        return false;
      }
      p.pending = p.pending.subarray(n);
    }
    return true;
  }

  #close(name: string): void {
    const p = this.#pipes.get(name);
    if (!p) return;
    this.#pipes.delete(name);
    this.#os!.clearTimer(p.retry);
    this.#os!.closeFd(p.fd);
  }
}
