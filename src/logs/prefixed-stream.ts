// One child stream (stdout or stderr of one program) cut into lines and prefixed.
import { LineSplitter } from "./line-splitter.ts";
import type { Prefixes } from "./prefix.ts";

/** Where prefixed lines go: admission per line (may drop it) or per run, then one batch per chunk. */
export interface LineOutput {
  admit(source: string, bytes: number): boolean;
  /** All of a run of lines or nothing, uncounted. */
  admitRun(bytes: number): boolean;
  /** Takes `batch` now or copies what it keeps: the caller reuses the buffer. */
  send(batch: Uint8Array): void;
}

/**
 * A fast path that prefixes a run of whole lines at once (Os.prefixLines): returns
 * [src offset reached, bytes written to dst]. Without one, every line goes through the splitter.
 */
export type RunFormatter = (src: Uint8Array, from: number, prefix: Uint8Array, dst: Uint8Array, maxLine: number) => [number, number];

const NEWLINE = 0x0a;
/** Initial size of the shared batch buffer (it grows to the largest batch seen). */
const BATCH_BYTES = 64 * 1024;
// One buffer for all streams: a batch is built and sent within one synchronous call.
let batch = new Uint8Array(BATCH_BYTES);

/**
 * Turns the raw output of program `name` into whole prefixed lines on `output`.
 * @example const stream = new PrefixedStream("web", prefixesOf("web", false), writer, 16 * 1024);
 * stream.write(chunk); // whole lines go out as "web | …"
 * stream.end();
 */
export class PrefixedStream {
  readonly #name: string;
  readonly #prefixes: Prefixes;
  readonly #output: LineOutput;
  readonly #splitter: LineSplitter;
  readonly #maxLineBytes: number;
  readonly #formatRun: RunFormatter | undefined;
  #used = 0;
  readonly #add = (bytes: Uint8Array, start: number, end: number, continued: boolean) => this.#append(bytes, start, end, continued);

  constructor(name: string, prefixes: Prefixes, output: LineOutput, maxLineBytes: number, formatRun?: RunFormatter) {
    this.#name = name;
    this.#prefixes = prefixes;
    this.#output = output;
    this.#splitter = new LineSplitter(maxLineBytes);
    this.#maxLineBytes = maxLineBytes;
    this.#formatRun = formatRun;
  }

  /**
   * Sends every line `chunk` completes, prefixed, as one batch.
   * @example stream.write(chunk)
   */
  write(chunk: Uint8Array): void {
    let from = 0;
    // Fast path: the whole lines at the start of the chunk in one go, if they all fit; else
    // (or for what it leaves: a partial or overlong line) line by line through the splitter.
    if (this.#formatRun && this.#splitter.idle) {
      const [reached, produced] = this.#formatRun(chunk, 0, this.#prefixes.line, batch, this.#maxLineBytes);
      if (produced > 0 && this.#output.admitRun(produced)) {
        this.#used = produced;
        from = reached;
      }
    }
    this.#splitter.push(from ? chunk.subarray(from) : chunk, this.#add);
    this.#send();
  }

  /**
   * Sends an unterminated last line (with a newline added): the stream has ended.
   * @example stream.end()
   */
  end(): void {
    this.#splitter.end(this.#add);
    this.#send();
  }

  #append(bytes: Uint8Array, start: number, end: number, continued: boolean): void {
    const prefix = continued ? this.#prefixes.continued : this.#prefixes.line;
    const size = prefix.length + end - start + 1;
    if (!this.#output.admit(this.#name, size)) return;
    if (this.#used + size > batch.length) {
      const bigger = new Uint8Array(Math.max(batch.length * 2, this.#used + size));
      bigger.set(batch.subarray(0, this.#used));
      batch = bigger;
    }
    let at = copy(prefix, 0, prefix.length, this.#used);
    at = copy(bytes, start, end, at);
    batch[at] = NEWLINE;
    this.#used = at + 1;
  }

  #send(): void {
    if (this.#used === 0) return;
    const used = this.#used;
    this.#used = 0;
    this.#output.send(batch.subarray(0, used));
  }
}

/** Below this, a byte loop beats TypedArray.set (which needs a subarray object per call). */
const SHORT_COPY = 32;

// Copies bytes[start..end) into the batch at `at`; returns the end of the copy.
function copy(bytes: Uint8Array, start: number, end: number, at: number): number {
  if (end - start < SHORT_COPY) {
    for (let i = start; i < end; i++) batch[at++] = bytes[i]!;
    return at;
  }
  batch.set(bytes.subarray(start, end), at);
  return at + end - start;
}
