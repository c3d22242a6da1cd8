// The Node.js implementation of the seam, mostly corral.node's calls (its signal relay and
// pump thread serve Deno too: see deno.ts), with Node's fs, timers and streams.
import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { nativeAddon, type Native } from "./native.ts";
import { bootHandover } from "./handover.ts";
import { invocationName, type EarlySignals } from "./early-signals.ts";
import { httpStatus, tcpConnect } from "./net.ts";
import { bindDatagram, errnoName } from "./datagram.ts";
import { PumpChannel } from "./pump-channel.ts";
import { EAGAIN, type ChildExit, type LogRoute, type Os, type PipeReader, type SpawnSpec } from "./types.ts";

/**
 * Builds the Node seam; the addon is loaded once, here. `claimSignals` runs before the relay
 * installs a signal (Deno's seam claims them from Deno's own signal thread).
 * @example const os = nodeOs(); os.kill(os.pid, 0) // 0
 */
export function nodeOs(claimSignals?: (signals: readonly number[]) => void): Os {
  const native = nativeAddon();
  const channel = new PumpChannel(native);
  const relay = signalRelay(native, bootHandover()?.signals, claimSignals);
  // corral leaves for / once its job runs; children still start where it was started.
  const launchCwd = process.cwd();
  return {
    runtime: "node",
    pid: process.pid,
    args: process.argv.slice(2),
    invokedAs: invocationName(process.argv[1]),
    env: process.env,
    onSignals: (signals, handler) => relay.add(signals, handler),
    forwardRealtime: (target, rewrites) => void native.forwardRealtime(target, [...rewrites].flat()),
    chdir(path) {
      try {
        process.chdir(path);
        return 0;
      } catch (err) {
        return -((err as { errno?: number }).errno ?? 0) || -2;
      }
    },
    cwd: () => process.cwd(),
    // No directory=: the child starts where corral started, entered before its user switch (startDir).
    spawn: (spec: SpawnSpec) => native.spawn(spec.file, spec.argv, spec.env, spec.cwd === undefined ? { ...spec, startDir: launchCwd } : spec),
    reap() {
      const flat = native.reap();
      const exits: ChildExit[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        exits.push({ pid: flat[i]!, code: flat[i + 1]!, signal: flat[i + 2]! });
      }
      return { exits, remaining: flat[flat.length - 1] === 1 };
    },
    kill: (pid, signo) => native.kill(pid, signo),
    descendants: (pid) => native.descendants(pid),
    processState: (pid) => native.processState(pid) || undefined,
    setSubreaper: () => native.setSubreaper(),
    isatty: (fd) => native.isatty(fd),
    lockFile: (path) => native.lockFile(path),
    closeFd: (fd) => void native.closeFd(fd),
    writeSome: (fd, data) => native.writeSome(fd, data),
    setNonBlocking: (fd, on) => native.setNonBlocking(fd, on),
    exit: (code) => process.exit(code),
    bindDatagram: (path, onMessage, maxBytes = DEFAULT_DATAGRAM_BYTES) => bindDatagram(native, channel, path, maxBytes, onMessage),
    sendDatagram: (path, data) => Promise.resolve(native.dgramSend(-1, path, data)),
    notify: (socket, message) => native.dgramSend(-1, socket, new TextEncoder().encode(message), true),
    fdFacts(fd) {
      const facts = native.fdFacts(fd);
      return typeof facts === "number" ? undefined : { closeOnExec: facts[0] === 1, target: facts[1], sameTarget: facts[2] };
    },
    listenStream: (a, backlog) => ("path" in a ? native.listenStream(a.path, -1, backlog, a.mode ?? -1, a.owner?.[0] ?? -1, a.owner?.[1] ?? -1)
      : native.listenStream(a.host, a.port, backlog, -1, -1, -1)),
    startLogPump(onEvent) {
      channel.onLog(onEvent);
      return channel.start();
    },
    addLogRoute: (fd, route) => native.pumpRoute(fd, routeOptions(route)),
    setLogRoutePid: (route, pid) => void native.pumpSetPid(route, pid),
    reopenLogs: () => native.pumpReopen(),
    flushLogs: (ms) => void native.pumpFlush(ms),
    openTail: (maxBytes) => native.tailOpen(maxBytes),
    writeTail: (id, data) => void native.tailWrite(id, data),
    tailSize: (id) => native.tailSize(id),
    readTail: (id, offset, length) => native.tailRead(id, offset, length),
    clearTail: (id) => void native.tailClear(id),
    pipe: () => native.pipe(),
    readPipe,
    readSome: (fd, into) => native.readSome(fd, into),
    reopenNonBlocking: (fd) => native.reopenNonBlocking(fd),
    now: () => Date.now(),
    setTimer: (ms, fn) => setTimeout(fn, ms),
    clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout> | undefined),
    onUncaught(handler) {
      process.on("uncaughtException", handler);
      process.on("unhandledRejection", handler);
    },
    // Touched only when used: process.stdout costs ~3 ms of start-up.
    writeStdout: (text) => new Promise((resolve) => {
      process.stdout.on("error", () => resolve());
      process.stdout.write(text, () => resolve());
    }),
    writeStderr(text) {
      try { writeFileSync(2, text); } catch { /* nowhere to report */ }
    },
    umask: (mask) => process.umask(mask),
    makeDirectory: (path, mode) => void mkdirSync(path, { recursive: true, ...(mode === undefined ? {} : { mode }) }),
    exists(path) {
      try {
        lstatSync(path);
        return true;
      } catch {
        return false;
      }
    },
    removeFile(path) {
      try {
        unlinkSync(path);
        return true;
      } catch {
        return false;
      }
    },
    chmod: (path, mode) => chmodSync(path, mode),
    readText(path) {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return undefined;
      }
    },
    writeNewFile: (path, text, mode) => writeFileSync(path, text, { flag: "wx", mode }),
    rename: (from, to) => renameSync(from, to),
    openFile: (path, mode) => openSync(path, mode),
    closeFile: (fd) => closeSync(fd),
    listDirectory(path) {
      try {
        return readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, directory: e.isDirectory() }));
      } catch {
        return undefined;
      }
    },
    tmpDir: () => tmpDir(process.env),
    errnoName,
    httpStatus,
    tcpConnect,
  };
}

/** What a datagram socket takes when its owner does not say (a STATUS reply fits). */
const DEFAULT_DATAGRAM_BYTES = 4096;
const FORMATS = { raw: 0, prefix: 1, json: 2 } as const;

// A LogRoute as pump-napi.c reads it.
function routeOptions(route: LogRoute): object {
  return { ...route.to, name: route.name, stream: route.stream, format: FORMATS[route.format], prefix: route.prefix,
    continued: route.continued, pid: route.pid, events: route.events, tail: route.tail };
}

// libuv reads the pipe (non-blocking, epoll); Deno's node:net does the same on its own loop.
// node:net is loaded on first use, so runs without prefixed logs never pay for it.
function readPipe(fd: number, onData: (chunk: Uint8Array) => void, onEnd: () => void): PipeReader {
  const { Socket } = require("node:net") as typeof import("node:net");
  const socket = new Socket({ fd, readable: true, writable: false });
  let open = true;
  const finish = () => {
    if (!open) return;
    open = false;
    socket.destroy();
    onEnd();
  };
  // A plain Uint8Array view: a subarray of it per line is cheaper than a Buffer's.
  socket.on("data", (chunk: Buffer) => onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
  socket.on("end", finish);
  socket.on("error", finish); // a read error ends the stream like EOF: nothing more will come
  return {
    close: () => { open = false; socket.destroy(); },
    pause: () => void socket.pause(),
    resume: () => void socket.resume(),
  };
}

/** Every caught signal, by number, to its handlers (corral.node's relay calls `dispatch`). */
export interface SignalRelay {
  add(signals: readonly number[], handler: (signo: number) => void): void;
}

/**
 * The JS end of corral.node's signal relay: one native handler for every signal, one dispatch.
 * Signals the boot caught (`early`) are already installed, and their callback is the boot's:
 * the first add() attaches this dispatch there, and with it what arrived before.
 * @example signalRelay(nativeAddon(), undefined).add([15], (signo) => console.log(signo));
 */
export function signalRelay(native: Native, early: EarlySignals | undefined, claim?: (signals: readonly number[]) => void): SignalRelay {
  const handlers = new Map<number, Array<(signo: number) => void>>();
  const installed = new Set(early?.signals);
  const dispatch = (signo: number) => {
    for (const h of handlers.get(signo) ?? []) h(signo);
  };
  let attach = early ? () => early.attach(dispatch) : undefined;
  return {
    add(signals, handler) {
      for (const signo of signals) handlers.set(signo, [...(handlers.get(signo) ?? []), handler]);
      attach?.();
      attach = undefined;
      const fresh = signals.filter((signo) => !installed.has(signo));
      if (fresh.length === 0) return;
      claim?.(fresh);
      const r = native.relaySignals(fresh, dispatch);
      if (r < 0) {
        throw new Error(r === -EAGAIN ?
          "cannot start the signal relay's thread (EAGAIN: the container's pids limit is lower than the runtime needs; allow at least 16)" :
          `cannot install signal handlers (errno ${-r})`);
      }
      for (const signo of fresh) installed.add(signo);
    },
  };
}

/**
 * os.tmpdir() on POSIX, without loading node:os (~3.6 M instructions at start-up): TMPDIR, TMP
 * or TEMP, without a trailing slash, else /tmp.
 * @example tmpDir({ TMPDIR: "/var/tmp/" }) // "/var/tmp"
 */
export function tmpDir(env: Record<string, string | undefined>): string {
  const dir = env.TMPDIR || env.TMP || env.TEMP || "/tmp";
  return dir.length > 1 && dir.endsWith("/") ? dir.slice(0, -1) : dir;
}
