// Writes prefixed lines to corral's stdout or stderr without ever blocking the event loop.
import { EAGAIN, type Os } from "../os/types.ts";
import { warn } from "../log.ts";
import { OutputQueue } from "./output-queue.ts";
import type { LineOutput } from "./prefixed-stream.ts";

/** First retry after the reader stopped taking bytes; doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 64;
/** A reader that takes nothing for this long is stalled: stop holding programs back, drop instead. */
export const STALL_MS = 1000;
/** How long corral, exiting, keeps writing prefixed output to a reader that still reads. */
export const EXIT_FLUSH_MS = 1000;

/**
 * One output descriptor of corral (1 or 2) shared by every prefixed program writing to it.
 * @example const writer = new OutputWriter(os, 1, 1 << 20);
 * if (writer.admit("web", line.length)) writer.send(line);
 * writer.flush();
 */
export class OutputWriter implements LineOutput {
  readonly #label: string;
  /** write(2) that never blocks: on an own non-blocking open of a pipe or terminal, else on the target. */
  readonly #writeSome: (data: Uint8Array) => number;
  readonly #queue: OutputQueue;
  readonly #limit: number;
  readonly #encoder = new TextEncoder();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = RETRY_FIRST_MS;
  /** The reader is gone (EPIPE or another write error): output is discarded from then on. */
  #broken = false;
  /** When the reader last took bytes. */
  #lastProgress = Date.now();
  /** Programs are held back (their pipes not read) while a live reader catches up. */
  #holding = false;
  /**
   * Told to hold programs back (true) while the queue is over half full and the reader is
   * still reading, and to let them go (false) once it is down to a quarter or the reader
   * stalled. A slow reader so loses nothing; a stalled one costs dropped lines, never a block.
   */
  onPressure: (hold: boolean) => void = () => {};

  /**
   * Writes to corral's `target` (1 or 2), keeping at most `limitBytes` for a slow reader.
   * @example const out = new OutputWriter(os, 1, 1 << 20)
   */
  constructor(os: Os, target: 1 | 2, limitBytes: number) {
    this.#label = target === 1 ? "stdout" : "stderr";
    // A socket (systemd's journal, Node's child stdio) is sent to with MSG_DONTWAIT instead.
    const own = os.reopenNonBlocking(target);
    this.#writeSome = own >= 0 ? (data) => os.writeSome(own, data) : (data) => os.writeNoWait(target, data);
    this.#queue = new OutputQueue(limitBytes);
    this.#limit = limitBytes;
  }

  /**
   * Whether a line of `bytes` from `source` fits; drops (and counts) it otherwise.
   * @example if (writer.admit("web", line.length)) writer.send(line);
   */
  admit(source: string, bytes: number): boolean {
    return !this.#broken && this.#queue.admit(source, bytes);
  }

  /**
   * Admits a run of whole lines in all, or nothing (uncounted: go line by line then).
   * @example if (!writer.admitRun(batch.length)) writer.admit("web", line.length) // not all fit: line by line
   */
  admitRun(bytes: number): boolean {
    return !this.#broken && this.#queue.admitRun(bytes);
  }

  /**
   * Writes admitted lines now if nothing waits before them; keeps a copy of the rest.
   * @example writer.send(batch) // batch may be reused right after
   */
  send(batch: Uint8Array): void {
    if (this.#broken) return;
    if (this.#queue.waiting || this.#retry) {
      this.#queue.store(batch.slice());
      this.#checkPressure();
      return;
    }
    const n = this.#write(batch);
    if (n < 0) return;
    if (n > 0) this.#progress();
    this.#queue.sent(n);
    if (n < batch.length) this.#queue.store(batch.slice(n));
    this.#noticeDrops();
    this.#drain();
  }

  #progress(): void {
    this.#delay = RETRY_FIRST_MS;
    this.#lastProgress = Date.now();
  }

  // Holds programs back while a live reader works through a queue over half full.
  #checkPressure(): void {
    const stalled = Date.now() - this.#lastProgress >= STALL_MS;
    const hold = !this.#broken && !stalled &&
      (this.#holding ? this.#queue.bytes > this.#limit / 4 : this.#queue.bytes > this.#limit / 2);
    if (hold !== this.#holding) {
      this.#holding = hold;
      this.onPressure(hold);
    }
  }

  /**
   * At exit: writes what is left, waiting up to EXIT_FLUSH_MS for a reader that is still
   * reading (corral is exiting, so a short synchronous wait blocks nothing else).
   * @example writer.flush()
   */
  flush(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const deadline = Date.now() + EXIT_FLUSH_MS;
    const nap = new Int32Array(new SharedArrayBuffer(4));
    for (;;) {
      this.#drain(false);
      if (!this.#queue.waiting || this.#broken || Date.now() >= deadline) return;
      Atomics.wait(nap, 0, 0, 1);
    }
  }

  // Writes stored bytes until done or the reader is full; then retries on a timer if `retry`.
  #drain(retry = true): void {
    for (let next = this.#queue.head(); next && !this.#broken; next = this.#queue.head()) {
      const n = this.#write(next);
      if (n < 0) break;
      if (n === 0) {
        if (retry) this.#retry = setTimeout(() => this.#onRetry(), this.#delay);
        this.#delay = Math.min(this.#delay * 2, RETRY_MAX_MS);
        break;
      }
      // Progress: the reader is reading, so the next wait is short again.
      this.#progress();
      this.#queue.advance(n);
      this.#noticeDrops();
    }
    this.#checkPressure();
  }

  #onRetry(): void {
    this.#retry = undefined;
    this.#drain();
  }

  // Once the reader has caught up: one line per program whose lines were dropped.
  #noticeDrops(): void {
    for (const [name, lines] of this.#queue.takeDrops()) {
      this.#queue.store(this.#encoder.encode(`corral: ${lines} lines from ${name} dropped (${this.#label} not read)\n`), true);
    }
  }

  // Bytes written (0 when the reader is full), or -1 after giving up on a gone reader.
  #write(data: Uint8Array): number {
    const n = this.#writeSome(data);
    if (n >= 0) return n;
    if (n === -EAGAIN) return 0;
    this.#broken = true;
    this.#queue.clear();
    warn(`${this.#label}: prefixed program output discarded from now on (write failed: errno ${-n})`);
    return -1;
  }
}
