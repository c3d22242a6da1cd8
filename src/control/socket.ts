// The control socket: bound once, read for the life of corral, refused when another
// instance already listens on it, removed on exit.
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { UsageError } from "../cli/errors.ts";
import type { DatagramSocket, Os } from "../os/types.ts";
import { MAX_COMMAND_BYTES } from "./protocol.ts";

/** Socket file mode when --socket-mode is not given. */
export const DEFAULT_SOCKET_MODE = 0o600;

/**
 * Binds the datagram socket at `path` (parents created, mode applied). A stale file is
 * replaced; a path another live instance answers on is an error, never stolen.
 * @example const sock = await openControlSocket(os, path, 0o600, (data, from) => ...)
 */
export async function openControlSocket(os: Os, path: string, mode: number,
  onMessage: (data: Uint8Array, from: string | undefined) => void): Promise<DatagramSocket> {
  mkdirSync(dirname(path), { recursive: true });
  if (exists(path)) {
    if ((await os.sendDatagram(path, new Uint8Array(0))) === 0) {
      throw new UsageError(`control socket ${path} is in use by a running instance; not taking it over`);
    }
    unlinkSync(path);
  }
  // Bind under a tight umask so the socket is never reachable with a looser mode.
  const previous = process.umask(0o177);
  let socket: DatagramSocket;
  try {
    socket = os.bindDatagram(path, onMessage, MAX_COMMAND_BYTES);
  } catch (err) {
    throw new UsageError(`control socket ${path}: cannot bind (${(err as Error).message})`);
  } finally {
    process.umask(previous);
  }
  chmodSync(path, mode);
  return {
    sendTo: socket.sendTo,
    close() {
      socket.close();
      try { unlinkSync(path); } catch { /* gone */ }
    },
  };
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
