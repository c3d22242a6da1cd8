// Stream sockets and log-file reads for the control API (node:net and node:fs, both work on
// Deno too). Loaded only when a control server or `corral ctl` in config mode needs them.
import { chmodSync, chownSync, closeSync, lstatSync, mkdirSync, openSync, readSync, statSync, truncateSync, unlinkSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { dirname, join } from "node:path";

/** Where a stream server listens or a client connects. */
export type StreamAddress = { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };

/** Socket file settings for a unix address. */
export interface UnixSocketOptions {
  /** chmod of the socket file. */
  mode: number;
  /** chown of the socket file. */
  owner?: { uid: number; gid: number };
  /** Create the parent directory with this mode when it is missing (corral's default socket). */
  dirMode?: number;
}

/** The socket side of one accepted connection. */
export interface AcceptedStream {
  /** Queues bytes; false once the peer is behind (more than the socket's high-water mark queued). */
  write(data: Uint8Array): boolean;
  /** Resolves once the queued bytes have gone to the kernel, or the socket is gone. */
  drained(): Promise<void>;
  end(): void;
  destroy(): void;
}

/** What a server does with each accepted connection (see ConnectionHandler in rpc/server.ts). */
export interface StreamHandler {
  data(chunk: Uint8Array): void;
  /** The peer half-closed. */
  ended(): void;
  closed(): void;
  /** Checks the connection's deadlines (called every `sweepMs`). */
  sweep(): void;
  /** When it began waiting for a request; undefined while busy. The smallest is evicted first when full. */
  waitingSince(): number | undefined;
}

/** Serves one accepted connection. */
export type OnConnection = (stream: AcceptedStream) => StreamHandler;

/** A listener's connection limits. */
export interface ConnectionLimits {
  /** Connections held at once; a new one beyond evicts the longest-waiting, or is refused when all are busy. */
  maxConnections: number;
  /** How often each connection's sweep() runs. */
  sweepMs: number;
}

/** A listening stream server. */
export interface StreamServer {
  /** Stops listening, ends every connection and removes the unix socket file. */
  close(): void;
}

/**
 * Hard cap on what waits unsent for one client, checked with the write that would pass it: the
 * server writes at most STREAM_CHUNK_BYTES before it waits for the client, so only a broken
 * writer reaches this; the connection is dropped.
 */
export const MAX_PENDING_WRITE_BYTES = 1024 * 1024;
/** How long a client waits to connect and for its answer before giving up. */
export const CLIENT_TIMEOUT_MS = 60_000;

const probe = (path: string) => new Promise<boolean>((resolve) => {
  const s = connect(path);
  s.once("connect", () => { s.destroy(); resolve(true); });
  s.once("error", () => resolve(false));
});

/** Removes a stale socket file at `path`; throws when a server still answers there. */
async function clearStale(path: string): Promise<void> {
  let isSocket: boolean;
  try { isSocket = lstatSync(path).isSocket(); } catch { return; }
  if (!isSocket) throw new Error(`${path}: expected no file or a stale socket, got another kind of file`);
  if (await probe(path)) throw new Error(`${path}: another server is already listening on this socket`);
  unlinkSync(path);
}

/** The socket side handed to the server: writes with the pending cap, drained() waiters. */
function acceptedStream(socket: Socket): AcceptedStream {
  let waiters: (() => void)[] = [];
  const wake = () => {
    const w = waiters;
    waiters = [];
    w.forEach((f) => f());
  };
  socket.on("drain", wake);
  socket.on("close", wake);
  return {
    write(data) {
      if (socket.destroyed) return false;
      if (socket.writableLength + data.length > MAX_PENDING_WRITE_BYTES) {
        socket.destroy();
        return false;
      }
      return socket.write(data);
    },
    drained: () => new Promise<void>((resolve) => {
      if (socket.destroyed || socket.writableLength === 0) resolve();
      else waiters.push(resolve);
    }),
    end: () => void socket.end(),
    destroy: () => void socket.destroy(),
  };
}

/**
 * Listens on a unix socket (mode and owner set as asked) or a TCP address, serving each
 * connection with `onConnection`, at most `limits.maxConnections` at once: a connection beyond
 * evicts the one that has waited longest for a request, so idle clients cannot lock others out.
 * Rejects with one line naming the address when it cannot listen.
 * @example const s = await listenStream({ kind: "unix", path: "/run/corral/corral.sock" }, { mode: 0o600 }, (stream) => ({ data: (chunk) => void stream.write(chunk), ended: () => stream.end(), closed: () => {}, sweep: () => {}, waitingSince: () => 0 }), { maxConnections: 256, sweepMs: 1000 }); s.close() // an echo server, closed again
 */
export async function listenStream(address: StreamAddress, unix: UnixSocketOptions | undefined, onConnection: OnConnection, limits: ConnectionLimits): Promise<StreamServer> {
  if (address.kind === "unix") {
    if (unix?.dirMode !== undefined) {
      mkdirSync(dirname(address.path), { recursive: true, mode: unix.dirMode });
      chmodSync(dirname(address.path), unix.dirMode);
    }
    await clearStale(address.path);
  }
  const connections = new Map<Socket, StreamHandler>();
  let sweeper: ReturnType<typeof setInterval> | undefined;
  const sweep = () => {
    for (const handler of connections.values()) handler.sweep();
    if (connections.size === 0) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };
  /** Makes room for one more: drops the longest-waiting connection; false when all are busy. */
  const evictOne = (): boolean => {
    let oldest: [Socket, number] | undefined;
    for (const [socket, handler] of connections) {
      const since = handler.waitingSince();
      if (since !== undefined && (!oldest || since < oldest[1])) oldest = [socket, since];
    }
    if (!oldest) return false;
    connections.delete(oldest[0]);
    oldest[0].destroy();
    return true;
  };
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {}); // a client's reset is its own business
    if (connections.size >= limits.maxConnections && !evictOne()) return void socket.destroy();
    const handler = onConnection(acceptedStream(socket));
    connections.set(socket, handler);
    socket.on("data", (chunk: Buffer) => handler.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
    socket.on("end", () => handler.ended());
    socket.on("close", () => { connections.delete(socket); handler.closed(); });
    sweeper ??= setInterval(sweep, limits.sweepMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) => {
      const where = address.kind === "unix" ? address.path : `${address.host}:${address.port}`;
      reject(new Error(`cannot listen on ${where}: ${e.code ?? e.message}`));
    });
    if (address.kind === "unix") server.listen(address.path, resolve);
    else server.listen(address.port, address.host, resolve);
  });
  server.on("error", () => {}); // accept errors (EMFILE) must not take PID 1 down
  if (address.kind === "unix" && unix) {
    chmodSync(address.path, unix.mode);
    if (unix.owner) chownSync(address.path, unix.owner.uid, unix.owner.gid);
  }
  return {
    close() {
      server.close();
      clearInterval(sweeper);
      for (const s of connections.keys()) s.destroy();
      if (address.kind === "unix") try { unlinkSync(address.path); } catch { /* gone */ }
    },
  };
}

/**
 * Why a client request failed, with the errno name (ENOENT, ECONNREFUSED, ETIMEDOUT, …).
 * @example new StreamError("ECONNREFUSED", "connect ECONNREFUSED /run/corral/corral.sock").code // "ECONNREFUSED"
 */
export class StreamError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/**
 * Sends `request` and collects the answer until `complete(bytes)` says it is whole (or the
 * server closes). Rejects with a StreamError naming the errno.
 * @example await requestStream({ kind: "tcp", host: "127.0.0.1", port: 9001 }, new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n"), () => false) // the whole answer, once the server closes
 */
export function requestStream(address: StreamAddress, request: Uint8Array, complete: (received: Uint8Array) => boolean): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const socket = address.kind === "unix" ? connect(address.path) : connect(address.port, address.host);
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (err?: StreamError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(new Uint8Array(Buffer.concat(chunks)));
    };
    const timer = setTimeout(() => finish(new StreamError("ETIMEDOUT", "no answer")), CLIENT_TIMEOUT_MS);
    socket.on("connect", () => socket.write(request));
    socket.on("data", (c: Buffer) => {
      chunks.push(c);
      if (complete(new Uint8Array(Buffer.concat(chunks)))) finish();
    });
    socket.on("end", () => finish());
    socket.on("error", (e: NodeJS.ErrnoException) => finish(new StreamError(e.code ?? "EIO", e.message)));
  });
}

/**
 * Log files through node:fs, for the control API's LogFiles port.
 * @example nodeLogFiles().size("/var/log/web.log") // 2048, or undefined when missing
 */
export function nodeLogFiles(): { size(p: string): number | undefined; inode(p: string): number | undefined; read(p: string, offset: number, length: number): Uint8Array } {
  const stat = (p: string) => { try { return statSync(p); } catch { return undefined; } };
  return {
    size: (p) => stat(p)?.size,
    inode: (p) => stat(p)?.ino,
    read(p, offset, length) {
      const fd = openSync(p, "r");
      try {
        const buf = new Uint8Array(length);
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buf, got, length - got, offset + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      } finally {
        closeSync(fd);
      }
    },
  };
}

/**
 * Empties a log file a program appends to (supervisorctl clear); false when it cannot.
 * @example truncateLog("/var/log/web.log") // true, and the file is empty
 */
export function truncateLog(path: string): boolean {
  try {
    truncateSync(path, 0);
    return true;
  } catch (err) {
    // A log file not written yet is as clear as an empty one (supervisord's remove() ignores ENOENT).
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}

/** Why a program's command cannot be run at all (supervisord's NO_FILE / NOT_EXECUTABLE). */
export interface CommandRefusal {
  fault: "NO_FILE" | "NOT_EXECUTABLE";
  text: string;
}

/**
 * supervisord's check before a start: `file` (with a slash: as named; else the first match
 * on `path`) must exist, not be a directory, and have an execute bit. Undefined: it may run.
 * A relative name with a slash is not checked (it is relative to the program's directory).
 * @example commandRefusal("/nonexistent/x", ["/usr/bin"]) // { fault: "NO_FILE", text: "can't find command '/nonexistent/x'" }
 */
export function commandRefusal(file: string, path: readonly string[]): CommandRefusal | undefined {
  if (file.includes("/") && !file.startsWith("/")) return undefined;
  const stat = (p: string) => { try { return statSync(p); } catch { return undefined; } };
  let found = file;
  let st = file.includes("/") ? stat(file) : undefined;
  if (!file.includes("/")) {
    for (const dir of path) {
      st = stat(join(dir || ".", file));
      if (st) { found = join(dir || ".", file); break; }
    }
  }
  if (!st) return { fault: "NO_FILE", text: `can't find command '${file}'` };
  if (st.isDirectory()) return { fault: "NOT_EXECUTABLE", text: `command at '${found}' is a directory` };
  if ((st.mode & 0o111) === 0) return { fault: "NOT_EXECUTABLE", text: `command at '${found}' is not executable` };
  return undefined;
}
