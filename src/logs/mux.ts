// Owns the pipes of prefixed programs: reads each one, prefixes its lines, and writes them
// to corral's stdout/stderr through one non-blocking writer per descriptor.
import type { Os, PipeReader } from "../os/types.ts";
import { OutputWriter } from "./output-writer.ts";
import { prefixesOf, wantsColour } from "./prefix.ts";
import { PrefixedStream } from "./prefixed-stream.ts";

/** Lines longer than this are cut into pieces (the later ones marked `name + `). */
export const MAX_LINE_BYTES = 16 * 1024;
/** Bytes kept per output descriptor for a reader that is behind; past it, lines are dropped. */
export const QUEUE_LIMIT_BYTES = 1024 * 1024;
/** Read size when draining pipes at exit. */
const DRAIN_BYTES = 64 * 1024;

interface OpenPipe {
  fd: number;
  reader: PipeReader;
  stream: PrefixedStream;
  target: 1 | 2;
}

/**
 * Every prefixed pipe of this corral, and the writers they share.
 * @example const mux = new LogMux(os);
 * const fd = mux.open("web", 1); // the child's stdout; close it once spawned
 * pid1.atExit(() => mux.flush());
 */
export class LogMux {
  readonly #os: Os;
  readonly #writers = new Map<1 | 2, OutputWriter>();
  readonly #open = new Set<OpenPipe>();

  constructor(os: Os) {
    this.#os = os;
  }

  /**
   * A pipe for output of program `name` that goes, prefixed, to corral's `target`; returns
   * the write end for the child (the caller closes it once spawned), or -errno.
   * @example const fd = mux.open("web", 1); reaper.spawn({ file: "web", argv: ["web"], env: [], stdio: [0, fd, 2] }); os.closeFd(fd);
   */
  open(name: string, target: 1 | 2): number {
    const fds = this.#os.pipe();
    if (typeof fds === "number") return fds;
    const [readFd, writeFd] = fds;
    const writer = this.#writer(target);
    const prefixes = prefixesOf(name, wantsColour(this.#os.isatty(target), this.#os.env));
    const stream = new PrefixedStream(name, prefixes, writer, MAX_LINE_BYTES, this.#os.prefixLines);
    const pipe: OpenPipe = {
      fd: readFd,
      stream,
      target,
      reader: this.#os.readPipe(readFd, (chunk) => stream.write(chunk), () => {
        this.#open.delete(pipe);
        stream.end();
      }),
    };
    this.#open.add(pipe);
    return writeFd;
  }

  /**
   * At exit: takes what is still in the pipes (without waiting for writers that live on),
   * ends partial lines, and writes out what the readers take now.
   * @example pid1.atExit(() => mux.flush())
   */
  flush(): void {
    const buffer = new Uint8Array(DRAIN_BYTES);
    for (const pipe of this.#open) {
      this.#os.setNonBlocking(pipe.fd, true);
      for (let n = this.#os.readSome(pipe.fd, buffer); n > 0; n = this.#os.readSome(pipe.fd, buffer)) {
        pipe.stream.write(buffer.subarray(0, n));
      }
      pipe.stream.end();
      pipe.reader.close();
    }
    this.#open.clear();
    for (const writer of this.#writers.values()) writer.flush();
  }

  #writer(target: 1 | 2): OutputWriter {
    let writer = this.#writers.get(target);
    if (!writer) {
      this.#writers.set(target, (writer = new OutputWriter(this.#os, target, QUEUE_LIMIT_BYTES)));
      // Back-pressure: while a live reader is behind, the programs writing to it wait.
      writer.onPressure = (hold) => {
        for (const pipe of this.#open) if (pipe.target === target) hold ? pipe.reader.pause() : pipe.reader.resume();
      };
    }
    return writer;
  }
}

let shared: LogMux | undefined;

/**
 * The one mux of this corral, made on first use and flushed through `atExit` when corral exits.
 * @example const mux = sharedMux(os, pid1.atExit)
 */
export function sharedMux(os: Os, atExit: (hook: () => void) => void): LogMux {
  if (!shared) {
    const mux = (shared = new LogMux(os));
    atExit(() => mux.flush());
  }
  return shared;
}
