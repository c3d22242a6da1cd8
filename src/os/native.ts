// Loads corral.node, the Node-API addon that sits next to the bundle (dist/).
import { join } from "node:path";

/** The addon's exports, as declared in src/native/corral.c. */
export interface Native {
  relaySignals(signals: number[], callback: (signo: number) => void): number;
  guardRelay(): number;
  spawn(file: string, argv: string[], env: string[], opts: object): number;
  reap(): number[];
  forwardRealtime(target: number, rewrites: number[]): number;
  kill(pid: number, sig: number): number;
  setSubreaper(): number;
  lockFile(path: string): number;
  closeFd(fd: number): number;
  pipe(): [number, number] | number;
  isatty(fd: number): boolean;
  setNonBlocking(fd: number, on: boolean): number;
  writeSome(fd: number, data: Uint8Array): number;
  readSome(fd: number, into: Uint8Array): number;
  reopenNonBlocking(fd: number): number;
  writeNoWait(fd: number, data: Uint8Array): number;
  prefixLines(src: Uint8Array, from: number, prefix: Uint8Array, dst: Uint8Array, maxLine: number): [number, number];
}

/**
 * Loads a native addon that lives beside the running bundle.
 * @example const native = loadAddon<Native>("corral.node");
 */
export function loadAddon<T>(file: string): T {
  return require(join(__dirname, file)) as T;
}
