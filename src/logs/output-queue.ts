// The bytes a slow reader has not taken yet, bounded: past the bound whole lines are
// dropped and counted per source until the reader catches up.

/** Small queued chunks are joined into writes of up to this many bytes. */
const JOIN_BYTES = 64 * 1024;

/**
 * A byte-bounded FIFO of whole lines with per-source drop counts.
 * @example const queue = new OutputQueue(1 << 20);
 * if (queue.admit("web", line.length)) queue.store(line.slice());
 */
export class OutputQueue {
  readonly #limit: number;
  #chunks: Uint8Array[] = [];
  #first = 0;
  /** Bytes admitted and not yet written (stored or about to be). */
  #bytes = 0;
  /** Set by the first drop, cleared once the queue is down to half its bound. */
  #dropping = false;
  #dropped = new Map<string, number>();

  constructor(limitBytes: number) {
    this.#limit = limitBytes;
  }

  /** Bytes admitted and not yet written. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether stored chunks wait to be written. */
  get waiting(): boolean {
    return this.#first < this.#chunks.length;
  }

  /**
   * Admits a line of `bytes` from `source`, or drops it (counted). Once a line is dropped
   * every line is, until the reader has taken half the bound: drops come in runs, not holes.
   * @example const batch: Uint8Array[] = []; if (queue.admit("web", line.length)) batch.push(line);
   */
  admit(source: string, bytes: number): boolean {
    if (!this.#dropping && this.#bytes + bytes <= this.#limit) {
      this.#bytes += bytes;
      return true;
    }
    this.#dropping = true;
    this.#dropped.set(source, (this.#dropped.get(source) ?? 0) + 1);
    return false;
  }

  /**
   * Admits a run of whole lines of `bytes` in all only if all fit and nothing is being
   * dropped; else admits nothing and counts nothing (the caller then goes line by line).
   * @example if (!queue.admitRun(batch.length)) queue.admit("web", line.length) // not all fit: line by line
   */
  admitRun(bytes: number): boolean {
    if (this.#dropping || this.#bytes + bytes > this.#limit) return false;
    this.#bytes += bytes;
    return true;
  }

  /**
   * Stores admitted bytes the caller will not touch again (`force`: not admitted, e.g. a notice).
   * @example queue.store(chunk.slice())
   */
  store(data: Uint8Array, force = false): void {
    if (data.length === 0) return;
    if (force) this.#bytes += data.length;
    this.#chunks.push(data);
  }

  /**
   * The next bytes to write (small chunks joined), or undefined when nothing is stored.
   * @example const next = queue.head(); if (next) queue.advance(os.writeSome(fd, next))
   */
  head(): Uint8Array | undefined {
    if (!this.waiting) return undefined;
    const first = this.#chunks[this.#first]!;
    if (first.length >= JOIN_BYTES || this.#first + 1 === this.#chunks.length) return first;
    let end = this.#first, size = 0;
    while (end < this.#chunks.length && size + this.#chunks[end]!.length <= JOIN_BYTES) size += this.#chunks[end++]!.length;
    if (end === this.#first + 1) return first;
    const joined = new Uint8Array(size);
    for (let i = this.#first, at = 0; i < end; at += this.#chunks[i++]!.length) joined.set(this.#chunks[i]!, at);
    this.#chunks.splice(this.#first, end - this.#first, joined);
    return joined;
  }

  /**
   * Removes `n` written bytes from the front of what `head()` returned.
   * @example const written = os.writeSome(fd, queue.head()!); if (written > 0) queue.advance(written);
   */
  advance(n: number): void {
    let left = n;
    while (left > 0 && this.waiting) {
      const first = this.#chunks[this.#first]!;
      if (first.length > left) {
        this.#chunks[this.#first] = first.subarray(left);
        break;
      }
      left -= first.length;
      this.#first++;
    }
    if (this.#first > 1024 && this.#first * 2 > this.#chunks.length) {
      this.#chunks.splice(0, this.#first);
      this.#first = 0;
    }
    this.sent(n);
  }

  /**
   * Accounts `n` admitted bytes that were written without being stored.
   * @example queue.sent(os.writeSome(fd, batch))
   */
  sent(n: number): void {
    this.#bytes -= n;
    if (this.#dropping && this.#bytes <= this.#limit / 2) this.#dropping = false;
  }

  /**
   * Drop counts per source, handed out (and reset) once dropping has ended; else empty.
   * @example for (const [name, n] of queue.takeDrops()) warn(`${name}: dropped ${n} lines`);
   */
  takeDrops(): Array<[source: string, lines: number]> {
    if (this.#dropping || this.#dropped.size === 0) return [];
    const drops = [...this.#dropped];
    this.#dropped.clear();
    return drops;
  }

  /**
   * Throws away everything stored and admitted (the reader is gone for good).
   * @example queue.clear()
   */
  clear(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#bytes = 0;
  }
}
