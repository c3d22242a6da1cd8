// Loads corral.node, the Node-API addon that sits next to the bundle (dist/).
import { join } from "node:path";

/** The addon's exports, as declared in src/native/*.c. */
export interface Native {
  relaySignals(signals: number[], callback: (signo: number) => void): number;
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
  pumpStart(onEvent: (type: number, id: number, a: number, bytes: Uint8Array | undefined) => void): number;
  pumpRoute(fd: number, route: object): number;
  pumpSetPid(route: number, pid: number): number;
  pumpReopen(): number;
  pumpFlush(ms: number): number;
  dgramOpen(path?: string): number;
  dgramWatch(fd: number): number;
  dgramArm(fd: number): number;
  dgramReceive(fd: number, data: Uint8Array, from: Uint8Array): number;
  dgramSend(fd: number, path: string, data: Uint8Array): number;
  dgramClose(fd: number): number;
}

/**
 * Loads a native addon that lives beside the running bundle.
 * @example const native = loadAddon<Native>("corral.node");
 */
export function loadAddon<T>(file: string): T {
  return require(join(__dirname, file)) as T;
}
