// The one channel corral.node's pump thread reports through: log events and readable
// datagram sockets, each handed to whoever registered for it. Started on first use.
import type { Native } from "./native.ts";
import type { LogEvent } from "./types.ts";

/** Event numbers, as src/native/pump.h numbers them. */
const DROPPED = 1, BROKEN = 2, FILE_ERROR = 3, ENDED = 4, OUTPUT = 5, READABLE = 6;
/** The most the pump reads from a pipe at once (pump.h's READ_BYTES): an output event's bytes fit. */
const OUTPUT_BUFFER_BYTES = 1024 * 1024;

/**
 * Routes the pump's reports to the log handler and to datagram sockets by descriptor.
 * @example const channel = new PumpChannel(native); channel.start(); // 0 once the pump thread runs
 */
export class PumpChannel {
  readonly #native: Native;
  #started = false;
  #onLog: (event: LogEvent) => void = () => {};
  readonly #readable = new Map<number, () => void>();
  readonly #decoder = new TextDecoder();

  constructor(native: Native) {
    this.#native = native;
  }

  /**
   * Starts the pump thread once; 0 or -errno.
   * @example channel.start()
   */
  start(): number {
    if (this.#started) return 0;
    // Output events' bytes arrive in this one buffer (valid during the call only): no garbage per read.
    const r = this.#native.pumpStart((type, id, a, bytes) => this.#dispatch(type, id, a, bytes), new Uint8Array(OUTPUT_BUFFER_BYTES));
    if (r === 0) this.#started = true;
    return r;
  }

  /**
   * Sets who gets log events (one handler; the last one set wins).
   * @example channel.onLog((e) => { if (e.type === "broken") console.error(e.output); })
   */
  onLog(handler: (event: LogEvent) => void): void {
    this.#onLog = handler;
  }

  /**
   * Calls `handler` when datagram socket `fd` becomes readable (after `dgramWatch`/`dgramArm`).
   * @example channel.onReadable(fd, () => console.log(`${fd} is readable`))
   */
  onReadable(fd: number, handler: (() => void) | undefined): void {
    if (handler) this.#readable.set(fd, handler);
    else this.#readable.delete(fd);
  }

  #dispatch(type: number, id: number, a: number, bytes: Uint8Array | undefined): void {
    switch (type) {
      case READABLE: this.#readable.get(id)?.(); return;
      case DROPPED: this.#onLog({ type: "dropped", route: id, lines: a }); return;
      case BROKEN: this.#onLog({ type: "broken", output: this.#decoder.decode(bytes) as "stdout" | "stderr", errno: a }); return;
      case FILE_ERROR: this.#onLog({ type: "file-error", path: this.#decoder.decode(bytes), errno: a }); return;
      case ENDED: this.#onLog({ type: "ended", route: id }); return;
      case OUTPUT: this.#onLog({ type: "output", route: id, stream: a === 2 ? 2 : 1, data: bytes ?? new Uint8Array(0) }); return;
    }
  }
}
