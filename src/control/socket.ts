// The control socket: bound once, read for the life of corral, refused when another
// instance already listens on it, removed on exit.
import { dirname } from "node:path";
import { UsageError } from "../core/errors.ts";
import type { DatagramSocket, Os } from "../os/types.ts";
import { MAX_COMMAND_BYTES } from "../core/control-protocol.ts";

/** Socket file mode when --socket-mode is not given. */
export const DEFAULT_SOCKET_MODE = 0o600;

/**
 * Binds the datagram socket at `path` (parents created, mode applied). A stale file is
 * replaced; a path another live instance answers on is an error, never stolen.
 * @example const sock = await openControlSocket(os, path, 0o600, (data) => void parseCommand(data)); sock.close();
 */
export async function openControlSocket(os: Os, path: string, mode: number,
  onMessage: (data: Uint8Array, from: string | undefined) => void): Promise<DatagramSocket> {
  os.makeDirectory(dirname(path));
  if (os.exists(path)) {
    if ((await os.sendDatagram(path, new Uint8Array(0))) === 0) {
      throw new UsageError(`control socket ${path} is in use by a running instance; not taking it over`);
    }
    os.removeFile(path);
  }
  // Bind under a tight umask so the socket is never reachable with a looser mode.
  const previous = os.umask(0o177);
  let socket: DatagramSocket;
  try {
    socket = os.bindDatagram(path, onMessage, MAX_COMMAND_BYTES);
  } catch (err) {
    throw new UsageError(`control socket ${path}: cannot bind (${(err as Error).message})`);
  } finally {
    os.umask(previous);
  }
  os.chmod(path, mode);
  return {
    sendTo: socket.sendTo,
    close() {
      socket.close();
      os.removeFile(path);
    },
  };
}
