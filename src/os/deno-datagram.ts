// Unix datagram sockets on Deno, which cannot load unix-dgram (a nan addon): the
// "unixpacket" transport of Deno.listenDatagram is a real SOCK_DGRAM socket, so
// `nc -Uu`, ncat and socat reach it exactly as they reach corral on Node.
import { unlinkSync } from "node:fs";
import { constants } from "node:os";
import { deno, type DatagramConn, type UnixAddr } from "./deno-api.ts";
import { EACCES, type DatagramSocket } from "./types.ts";

/** errno for failures Deno reports without a code. */
const EIO = 5;
/** What a send returns when the socket is busy receiving ("Busy" has no errno of its own). */
const EBUSY = 16;

/**
 * Binds `path` and calls `onMessage` for each datagram (see `Os.bindDatagram`). A bind
 * failure throws an Error whose `errno` is -errno, as unix-dgram's does on Node.
 * @example const s = bindDatagram("/run/corral.sock", (data, from) => {}); s.close();
 */
export function bindDatagram(path: string, onMessage: (data: Uint8Array, from: string | undefined) => void): DatagramSocket {
  let conn = listen(path);
  let closed = false;
  // A Deno DatagramConn runs one operation at a time: a send while a receive waits fails
  // "Busy". So the receive loop waits for sends in flight, and a send that finds a receive
  // waiting re-binds the path (ours) and restarts the loop; nothing is lost but datagrams
  // arriving in that instant, and a server only sends right after it has received.
  let sending: Promise<unknown> = Promise.resolve();
  const loop = async (current: DatagramConn): Promise<void> => {
    while (!closed && current === conn) {
      await sending;
      let received: [Uint8Array, UnixAddr];
      try {
        received = await current.receive();
      } catch (err) {
        if ((err as Error).name === "Busy") {
          await new Promise((resolve) => setTimeout(resolve, 1)); // a send still holds the socket
          continue;
        }
        return; // closed (or re-bound)
      }
      try {
        onMessage(received[0], replyPath(received[1]));
      } catch (err) {
        queueMicrotask(() => { throw err; }); // to uncaughtException, as on Node
      }
    }
  };
  void loop(conn);
  const sendTo = async (to: string, data: Uint8Array): Promise<number> => {
    const first = sendOn(conn, to, data);
    sending = first;
    let result = await first;
    if (result === -EBUSY && !closed) {
      conn.close();
      try { unlinkSync(path); } catch { /* gone */ }
      try { conn = listen(path); } catch (err) { return (err as { errno?: number }).errno ?? -EIO; }
      const sent = sendOn(conn, to, data);
      sending = sent;
      result = await sent;
      void loop(conn);
    }
    return result;
  };
  return {
    sendTo,
    close: () => { closed = true; try { conn.close(); } catch { /* closed */ } },
  };
}

function listen(path: string): DatagramConn {
  try {
    return deno.listenDatagram({ transport: "unixpacket", path });
  } catch (err) {
    const errno = -errnoOf(err);
    throw Object.assign(new Error(`bind ${path}: ${(err as Error).message}`), { errno, code: errno, syscall: "bind" });
  }
}

/**
 * Sends one datagram from a socket bound to a fresh abstract name: Deno cannot leave a
 * socket unbound, and an abstract name needs no file, no cleanup and no write permission.
 * Receivers see it as an unbound sender. Resolves to 0 or -errno.
 * @example await sendDatagram("/run/corral.sock", new TextEncoder().encode("STATUS"))
 */
export async function sendDatagram(path: string, data: Uint8Array): Promise<number> {
  let conn: DatagramConn;
  try {
    conn = deno.listenDatagram({ transport: "unixpacket", path: `\0corral-${Math.random().toString(36).slice(2)}` });
  } catch (err) {
    return -errnoOf(err);
  }
  try {
    return await sendOn(conn, path, data);
  } finally {
    conn.close();
  }
}

// Only a named path can be replied to; unbound and abstract senders read as undefined,
// which is what unix-dgram reports for them on Node.
function replyPath(from: UnixAddr): string | undefined {
  return from.path && !from.path.startsWith("\0") ? from.path : undefined;
}

async function sendOn(conn: DatagramConn, path: string, data: Uint8Array): Promise<number> {
  try {
    await conn.send(data, { transport: "unixpacket", path });
    return 0;
  } catch (err) {
    return -errnoOf(err);
  }
}

// Deno names the errno ("ENOENT") but does not give its number; permission refusals have no code.
function errnoOf(err: unknown): number {
  const code = (err as { code?: unknown } | undefined)?.code;
  const table = constants.errno as Record<string, number>;
  if (typeof code === "string" && code in table) return table[code]!;
  const name = (err as Error | undefined)?.name;
  return name === "NotCapable" ? EACCES : name === "Busy" ? EBUSY : EIO;
}
