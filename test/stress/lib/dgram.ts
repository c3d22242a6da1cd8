// A control-socket client for the stress cases: unix-dgram (the package corral bundles)
// from the test process, so thousands of datagrams cost no process start each.
import { unlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeStatus, type StatusReply } from "../../../src/core/control-protocol.ts";
import { sleep } from "../../helpers.ts";

interface RawSocket {
  bind(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: { errno?: number; code?: number }) => void): void;
  on(event: "message", listener: (buf: Buffer) => void): void;
  close(): void;
}

/** unix-dgram answers a full receive queue with this code (EAGAIN is -11). */
const CONGESTION = 1;
const EAGAIN = -11;
/** How long a STATUS reply may take. */
const STATUS_TIMEOUT_MS = 2000;

const unixDgram = createRequire(import.meta.url)("unix-dgram") as { createSocket(type: "unix_dgram"): RawSocket };

/** A bound datagram client: sends (waiting out a full queue as a blocking sender would) and asks STATUS. */
export interface DgramClient {
  /** Sends `data` to `path`; resolves 0 or the errno (negative) of a refused send. */
  send(path: string, data: Buffer): Promise<number>;
  /** corral's STATUS reply from `path`, or undefined when none came in time. */
  status(path: string): Promise<StatusReply | undefined>;
  close(): void;
}

/**
 * Opens a client bound to a fresh path in the temp dir (STATUS replies need an address).
 * @example const c = openClient(); await c.send(sock, Buffer.from("STOP")); c.close();
 */
export function openClient(): DgramClient {
  const own = join(tmpdir(), `corral-stress-${process.pid}-${Math.random().toString(36).slice(2)}.sock`);
  const socket = unixDgram.createSocket("unix_dgram");
  const replies: StatusReply[] = [];
  socket.on("message", (buf) => {
    const reply = decodeStatus(buf);
    if (reply) replies.push(reply);
  });
  socket.bind(own);
  const sendOnce = (path: string, data: Buffer) => new Promise<number>((resolve) =>
    socket.send(data, 0, data.length, path, (err) => resolve(err ? (err.code === CONGESTION ? EAGAIN : err.errno ?? -1) : 0)));
  return {
    async send(path, data) {
      for (;;) {
        const r = await sendOnce(path, data);
        if (r !== EAGAIN) return r;
        await sleep(1);
      }
    },
    async status(path) {
      replies.length = 0;
      if ((await this.send(path, Buffer.from("STATUS"))) !== 0) return undefined;
      const deadline = Date.now() + STATUS_TIMEOUT_MS;
      while (replies.length === 0 && Date.now() < deadline) await sleep(2);
      return replies.shift();
    },
    close() {
      socket.close();
      try { unlinkSync(own); } catch { /* gone */ }
    },
  };
}
