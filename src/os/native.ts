// Loads corral.node, the Node-API addon that sits next to the bundle (dist/).
import { bootHandover } from "./handover.ts";

/** The addon's exports, as declared in src/native/*.c. */
export interface Native {
  relaySignals(signals: number[], callback: (signo: number) => void): number;
  defaultDisposition(signals: number[]): number[];
  spawn(file: string, argv: string[], env: string[], opts: object): number;
  reap(): number[];
  forwardRealtime(target: number, rewrites: number[]): number;
  kill(pid: number, sig: number): number;
  descendants(root: number): number[];
  processState(pid: number): string;
  setSubreaper(): number;
  lockFile(path: string): number;
  closeFd(fd: number): number;
  pipe(): [number, number] | number;
  isatty(fd: number): boolean;
  setNonBlocking(fd: number, on: boolean): number;
  writeSome(fd: number, data: Uint8Array): number;
  readSome(fd: number, into: Uint8Array): number;
  reopenNonBlocking(fd: number): number;
  readFile(path: string, latin1: true): string | number;
  readFile(path: string, latin1: false): Uint8Array | number;
  pumpStart(onEvent: (type: number, id: number, a: number, bytes: Uint8Array | undefined) => void, outputBuffer?: Uint8Array): number;
  pumpRoute(fd: number, route: object): number;
  pumpSetPid(route: number, pid: number): number;
  pumpReopen(): number;
  pumpFlush(ms: number): number;
  tailOpen(cap: number): number;
  tailWrite(id: number, data: Uint8Array): number;
  tailSize(id: number): number;
  tailRead(id: number, offset: number, length: number): Uint8Array | number;
  tailClear(id: number): number;
  dgramOpen(path?: string): number;
  dgramWatch(fd: number): number;
  dgramArm(fd: number): number;
  dgramReceive(fd: number, data: Uint8Array, from: Uint8Array): number;
  dgramSend(fd: number, path: string, data: Uint8Array, abstractAt?: boolean): number;
  fdFacts(fd: number): [closeOnExec: number, target: string, sameTarget: number] | number;
  dgramClose(fd: number): number;
  listenStream(address: string, port: number, backlog: number, mode: number, uid: number, gid: number): number;
}

/** The addon's file name: it lies beside the bundle. */
export const ADDON_FILE = "corral.node";

/**
 * Loads corral.node from directory `dir` with the runtime's own dlopen: require() would first
 * resolve the path (stat, realpath; ~0.3 ms of start-up) for a file whose path is known.
 * @example const native = dlopenAddon("/opt/corral"); native.isatty(0) // true on a terminal
 */
export function dlopenAddon(dir: string): Native {
  const module = { exports: {} };
  process.dlopen(module, `${dir}/${ADDON_FILE}`);
  return module.exports as Native;
}

let loaded: Native | undefined;

/**
 * corral.node, once: the boot's copy, else loaded now from beside the bundle.
 * @example nativeAddon().kill(process.pid, 0) // 0
 */
export function nativeAddon(): Native {
  loaded ??= bootHandover()?.addon ?? dlopenAddon(__dirname);
  return loaded;
}
