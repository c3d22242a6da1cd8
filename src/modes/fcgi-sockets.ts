// [fcgi-program:x]: one listening socket per pool, given to each of its processes as fd 0, as
// supervisord's SocketManager does: made when the first process starts, counted per running
// process, closed when the last one is reaped (corral also removes a unix socket's file then).
// At start every pool's socket is made and closed once, so a bad address stops corral before
// anything runs (supervisord: "Could not create FastCGI socket …", exit 1).
import { UsageError } from "../core/errors.ts";
import type { ProgramSpec } from "../config/types.ts";
import { EEXIST, ENXIO, type Os, type StreamAddress } from "../os/types.ts";
import { info, warn } from "../log.ts";
import type { LoopHandle, ProgramPorts } from "./loop.ts";

/** listen()'s backlog when socket_backlog= is not given: 0 asks the native side for SOMAXCONN, as supervisord. */
const SYSTEM_BACKLOG = 0;

/**
 * Where a pool's socket url (`tcp://HOST:PORT`, `unix:///PATH`) listens, with its mode and owner.
 * @example streamAddress({ url: "tcp://127.0.0.1:9000" }) // { host: "127.0.0.1", port: 9000 }
 */
export function streamAddress(socket: NonNullable<ProgramSpec["socket"]>): StreamAddress {
  const { url } = socket;
  if (url.startsWith("unix://")) {
    return { path: url.slice("unix://".length), ...(socket.mode === undefined ? {} : { mode: socket.mode }), ...(socket.owner ? { owner: socket.owner } : {}) };
  }
  const colon = url.lastIndexOf(":");
  return { host: url.slice("tcp://".length, colon), port: Number(url.slice(colon + 1)) };
}

/**
 * The one line naming the section whose socket could not be made (`errno` positive).
 * @example socketError(os, spec, 98) // "/etc/supervisord.conf:12: [fcgi-program:php] could not create FastCGI socket tcp://127.0.0.1:9000: EADDRINUSE"
 */
export function socketError(os: Os, program: ProgramSpec, errno: number): string {
  const why = errno === ENXIO ? "the host does not resolve" : errno === EEXIST ? "a file that is not a socket is at that path" : os.errnoName(errno);
  return `${program.origin}: [fcgi-program:${program.program}] could not create FastCGI socket ${program.socket!.url}: ${why}`;
}

/** One pool's socket while any of its processes runs. */
interface Held { fd: number; users: number; path?: string }

/**
 * The sockets of every pool, reference-counted by running process.
 * @example const sockets = new FcgiSockets(); const fd = sockets.acquire(os, spec); sockets.release(os, spec)
 */
export class FcgiSockets {
  #held = new Map<string, Held>();

  /** The pool's socket (made now when none of its processes runs), counted once more: its fd, or -errno (warned). */
  acquire(os: Os, program: ProgramSpec): number {
    const key = `${program.group} ${program.socket!.url}`;
    let held = this.#held.get(key);
    if (!held) {
      const address = streamAddress(program.socket!);
      const fd = os.listenStream(address, program.socket!.backlog ?? SYSTEM_BACKLOG);
      if (fd < 0) {
        warn(socketError(os, program, -fd));
        return fd;
      }
      info(`creating socket ${program.socket!.url}`);
      held = { fd, users: 0, ...("path" in address ? { path: address.path } : {}) };
      this.#held.set(key, held);
    }
    held.users++;
    return held.fd;
  }

  /** One process of the pool is gone: the last one closes the socket and removes its file. */
  release(os: Os, program: ProgramSpec): void {
    const key = `${program.group} ${program.socket!.url}`;
    const held = this.#held.get(key);
    if (!held || --held.users > 0) return;
    this.#held.delete(key);
    info(`closing socket ${program.socket!.url}`);
    os.closeFd(held.fd);
    if (held.path !== undefined) os.removeFile(held.path);
  }

  /** Makes and closes every pool's socket once; a UsageError naming the first that cannot be made. */
  check(os: Os, programs: readonly ProgramSpec[]): void {
    for (const p of programs) {
      if (!p.socket) continue;
      const fd = this.acquire(os, p);
      if (fd < 0) throw new UsageError(socketError(os, p, -fd));
      this.release(os, p);
    }
  }

  /** Closes what is still open (corral exits). */
  closeAll(os: Os): void {
    for (const held of this.#held.values()) {
      os.closeFd(held.fd);
      if (held.path !== undefined) os.removeFile(held.path);
    }
    this.#held.clear();
  }
}

/**
 * `base`'s ports with [fcgi-program:x] processes spawned on their pool's socket as fd 0.
 * @example const ports = fcgiPorts(PROGRAM_PORTS, new FcgiSockets())
 */
export function fcgiPorts(base: ProgramPorts, sockets: FcgiSockets): ProgramPorts {
  const closing = new WeakSet<LoopHandle>();
  return {
    ...base,
    spawn(os, loop, program, stdin, onExit) {
      if (!program.socket) return base.spawn(os, loop, program, stdin, onExit);
      if (!closing.has(loop)) {
        closing.add(loop);
        loop.atExit(() => sockets.closeAll(os));
      }
      const fd = sockets.acquire(os, program);
      if (fd < 0) return fd;
      const pid = base.spawn(os, loop, program, fd, (exit) => {
        sockets.release(os, program);
        onExit(exit);
      });
      if (pid < 0) sockets.release(os, program);
      return pid;
    },
  };
}
