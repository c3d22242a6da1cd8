// Unix datagram sockets on Deno, which cannot load unix-dgram (a nan addon): the
// "unixpacket" transport of Deno.listenDatagram is a real SOCK_DGRAM socket, so
// `nc -Uu`, ncat and socat reach it exactly as they reach corral on Node.
import { constants } from "node:os";
import { deno, type DatagramConn, type UnixAddr } from "./deno-api.ts";
import { EACCES, type DatagramSocket } from "./types.ts";

/** errno for failures Deno reports without a code. */
const EIO = 5;

/**
 * Binds `path` and calls `onMessage` for each datagram (see `Os.bindDatagram`). A bind
 * failure throws an Error whose `errno` is -errno, as unix-dgram's does on Node.
 * @example const s = bindDatagram("/run/corral.sock", (data, from) => {}); s.close();
 */
export function bindDatagram(path: string, onMessage: (data: Uint8Array, from: string | undefined) => void): DatagramSocket {
  let conn: DatagramConn;
  try {
    conn = deno.listenDatagram({ transport: "unixpacket", path });
  } catch (err) {
    const errno = -errnoOf(err);
    throw Object.assign(new Error(`bind ${path}: ${(err as Error).message}`), { errno, code: errno, syscall: "bind" });
  }
  void receive(conn, onMessage);
  return {
    sendTo: (to, data) => sendOn(conn, to, data),
    close: () => { try { conn.close(); } catch { /* closed */ } },
  };
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

// A throwing handler must not end the loop: the error goes to uncaughtException, as on Node.
async function receive(conn: DatagramConn, onMessage: (data: Uint8Array, from: string | undefined) => void): Promise<void> {
  try {
    for await (const [data, from] of conn) {
      try {
        onMessage(data, replyPath(from));
      } catch (err) {
        queueMicrotask(() => { throw err; });
      }
    }
  } catch { /* the socket was closed */ }
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
  return (err as Error | undefined)?.name === "NotCapable" ? EACCES : EIO;
}
