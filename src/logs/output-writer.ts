// Writes prefixed lines to corral's stdout or stderr without ever blocking the event loop.
import { EAGAIN, type Os } from "../os/types.ts";
import { warn } from "../log.ts";
import { OutputQueue } from "./output-queue.ts";
import type { LineOutput } from "./prefixed-stream.ts";

/** First retry after the reader stopped taking bytes; doubles up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 1;
const RETRY_MAX_MS = 64;

/** One output descriptor of corral (1 or 2) shared by every prefixed program writing to it. */
export class OutputWriter implements LineOutput {
  readonly #label: string;
  /** write(2) that never blocks: on an own non-blocking open of a pipe or terminal, else on the target. */
  readonly #writeSome: (data: Uint8Array) => number;
  readonly #queue: OutputQueue;
  readonly #encoder = new TextEncoder();
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = RETRY_FIRST_MS;
  /** The reader is gone (EPIPE or another write error): output is discarded from then on. */
  #broken = false;

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
  }

  /**
   * Whether a line of `bytes` from `source` fits; drops (and counts) it otherwise.
   * @example if (writer.admit("web", line.length)) batch.push(line)
   */
  admit(source: string, bytes: number): boolean {
    return !this.#broken && this.#queue.admit(source, bytes);
  }

  /**
   * Admits a run of whole lines in all, or nothing (uncounted: go line by line then).
   * @example if (!writer.admitRun(batch.length)) admitEachLine()
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
      return;
    }
    const n = this.#write(batch);
    if (n < 0) return;
    if (n > 0) this.#delay = RETRY_FIRST_MS;
    this.#queue.sent(n);
    if (n < batch.length) this.#queue.store(batch.slice(n));
    this.#noticeDrops();
    this.#drain();
  }

  /**
   * Writes what the reader takes right now, without waiting for more (corral is exiting).
   * @example writer.flush()
   */
  flush(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#drain(false);
  }

  // Writes stored bytes until done or the reader is full; then retries on a timer if `retry`.
  #drain(retry = true): void {
    for (let next = this.#queue.head(); next && !this.#broken; next = this.#queue.head()) {
      const n = this.#write(next);
      if (n < 0) return;
      if (n === 0) {
        if (retry) this.#retry = setTimeout(() => this.#onRetry(), this.#delay);
        this.#delay = Math.min(this.#delay * 2, RETRY_MAX_MS);
        return;
      }
      // Progress: the reader is reading, so the next wait is short again.
      this.#delay = RETRY_FIRST_MS;
      this.#queue.advance(n);
      this.#noticeDrops();
    }
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
