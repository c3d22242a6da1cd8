// Unix datagram sockets through corral.node on Node and Deno alike: each datagram is read
// into one small buffer per socket (a longer one is cut by the kernel and ignored), so a
// flood costs no memory; replies and one-off sends go out with sendto(2).
import { getSystemErrorName } from "node:util";
import type { Native } from "./native.ts";
import type { PumpChannel } from "./pump-channel.ts";
import type { DatagramSocket } from "./types.ts";

/** Datagrams read per wake-up before the event loop gets a turn (the rest come next turn). */
const BATCH = 256;
/** Room for a sender's path (sun_path is 108 bytes) and its NUL. */
const SUN_PATH_BYTES = 109;
const EAGAIN = 11;

/**
 * Binds `path` and calls `onMessage` with each datagram of at most `maxBytes` (see
 * `Os.bindDatagram`); `data` is a view of the socket's one buffer, valid during the call.
 * A bind failure throws an Error whose `errno` is -errno.
 * @example const s = bindDatagram(native, channel, "/run/corral.sock", 64, (data, from) => {}); s.close();
 */
export function bindDatagram(native: Native, channel: PumpChannel, path: string, maxBytes: number,
  onMessage: (data: Uint8Array, from: string | undefined) => void): DatagramSocket {
  const started = channel.start();
  const fd = started < 0 ? started : native.dgramOpen(path);
  if (fd < 0) {
    const name = errnoName(-fd);
    throw Object.assign(new Error(`bind ${path}: ${name}`), { errno: fd, code: name, syscall: "bind" });
  }
  // One byte more than asked: a datagram that fills it was longer than maxBytes (or cut).
  const buffer = new Uint8Array(maxBytes + 1);
  const from = new Uint8Array(SUN_PATH_BYTES);
  const decoder = new TextDecoder();
  // The last sender's path, kept: a client that sends many datagrams costs one string.
  const lastFrom = new Uint8Array(SUN_PATH_BYTES);
  let lastSender: string | undefined;
  const senderOf = (): string | undefined => {
    if (from[0] === 0) return undefined;
    let i = 0;
    while (from[i] !== 0 && from[i] === lastFrom[i]) i++;
    if (from[i] === 0 && lastFrom[i] === 0 && lastSender !== undefined) return lastSender;
    const end = from.indexOf(0);
    lastFrom.fill(0).set(from.subarray(0, end));
    return (lastSender = decoder.decode(from.subarray(0, end)));
  };
  let open = true;
  const drain = () => {
    for (let i = 0; open && i < BATCH; i++) {
      const n = native.dgramReceive(fd, buffer, from);
      if (n === -EAGAIN || n < 0) break;
      if (n > maxBytes) continue; // longer than anything this socket takes: ignored unread
      try {
        onMessage(buffer.subarray(0, n), senderOf());
      } catch (err) {
        queueMicrotask(() => { throw err; }); // to uncaughtException, as any callback's error
      }
    }
    if (open) native.dgramArm(fd);
  };
  channel.onReadable(fd, drain);
  native.dgramWatch(fd);
  return {
    sendTo: (to, data) => Promise.resolve(native.dgramSend(fd, to, data)),
    close: () => {
      if (!open) return;
      open = false;
      channel.onReadable(fd, undefined);
      native.dgramClose(fd);
    },
  };
}

/** Linux errno names libuv's table lacks (util.getSystemErrorName says "Unknown system error"). */
const ERRNO_NOT_IN_LIBUV: Readonly<Record<number, string>> = {
  8: "ENOEXEC", 10: "ECHILD", 33: "EDOM", 35: "EDEADLK", 37: "ENOLCK", 42: "ENOMSG", 43: "EIDRM", 60: "ENOSTR", 62: "ETIME",
  63: "ENOSR", 67: "ENOLINK", 72: "EMULTIHOP", 74: "EBADMSG", 102: "ENETRESET", 115: "EINPROGRESS", 116: "ESTALE", 122: "EDQUOT",
};

/**
 * The errno's name ("EADDRINUSE"), or "errno N". node:util is loaded with Node itself, where
 * node:os (constants.errno) would cost ~3.6 M instructions at start-up.
 * @example errnoName(98) // "EADDRINUSE"
 */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  if (ERRNO_NOT_IN_LIBUV[n]) return ERRNO_NOT_IN_LIBUV[n];
  try {
    const name = getSystemErrorName(-n);
    return name.startsWith("E") ? name : `errno ${n}`;
  } catch {
    return `errno ${n}`;
  }
}
