// In-memory tails: the last bytes each program wrote on stdout and stderr, and corral's own
// messages, kept by corral.node (pump-tails.c) while a control API serves. They stand in for the
// AUTO log files supervisord keeps, so tail, read, clear and /logtail work for every program
// whose output goes to corral's stdout/stderr (also `stdout_logfile=/dev/stdout`), read through
// the same LogFiles port as real files, under a name that is no file's path ("tail:…").
import type { Os } from "../os/types.ts";
import { copyLogTo } from "../log.ts";

/** Bytes kept per program and channel, and for corral's own messages ([supervisord] tail_maxbytes=). */
export const DEFAULT_TAIL_BYTES = 64 * 1024;
/** What starts the name of a tail read through LogFiles (real log files have absolute paths). */
export const TAIL_PREFIX = "tail:";
/** The name of the tail of corral's own messages (readLog, maintail, clearLog). */
export const MAIN_TAIL = `${TAIL_PREFIX}corral`;

/** What LogFiles (rpc/port.ts) reads, plus clearing; repeated here so logs/ does not import rpc/. */
export interface TailFiles {
  size(path: string): number | undefined;
  read(path: string, offset: number, length: number): Uint8Array;
  inode(path: string): number | undefined;
  /** Empties the tail named `path`: false when it is no tail. */
  clear(path: string): boolean;
  /** The first offset still kept (0 for a file). */
  first(path: string): number;
}

let os: Os | undefined;
let maxBytes = 0;
/** tail name -> id in corral.node; opened on first use, kept across restarts and reloads. */
const ids = new Map<string, number>();

/**
 * The name a program stream's tail is read under; `program` is its full name (GROUP:NAME, or
 * NAME alone when the group has the program's name, as supervisorctl writes it).
 * @example tailName("site:web", "stdout") // "tail:site:web/stdout"
 */
export function tailName(program: string, channel: "stdout" | "stderr"): string {
  return `${TAIL_PREFIX}${program}/${channel}`;
}

/**
 * Starts keeping tails of `bytes` each (0: none), and copies corral's own messages into theirs.
 * @example keepTails(os, DEFAULT_TAIL_BYTES)
 */
export function keepTails(theOs: Os, bytes: number): void {
  if (bytes <= 0 || os) return;
  os = theOs;
  maxBytes = bytes;
  const main = openTail(MAIN_TAIL);
  if (main !== undefined) copyLogTo((data) => theOs.writeTail(main, data));
}

/**
 * The id of tail `name` (opened now if it is new), or undefined when tails are off.
 * @example openTail(tailName("web", "stdout")) // 3
 */
export function openTail(name: string): number | undefined {
  if (!os) return undefined;
  let id = ids.get(name);
  if (id === undefined) {
    const opened = os.openTail(maxBytes);
    if (opened < 0) return undefined;
    ids.set(name, (id = opened));
  }
  return id;
}

/**
 * `files` with the tails in front: names starting with TAIL_PREFIX are read from memory.
 * @example withTails(nodeLogFiles()).size("tail:web/stdout") // 1600, or undefined when web keeps no tail
 */
export function withTails(files: Omit<TailFiles, "clear" | "first">): TailFiles {
  const idOf = (path: string) => (path.startsWith(TAIL_PREFIX) ? ids.get(path) ?? -1 : undefined);
  return {
    size(path) {
      const id = idOf(path);
      if (id === undefined) return files.size(path);
      const size = id < 0 || !os ? -1 : os.tailSize(id);
      return size < 0 ? undefined : size;
    },
    read(path, offset, length) {
      const id = idOf(path);
      if (id === undefined) return files.read(path, offset, length);
      const bytes = id < 0 || !os ? -1 : os.readTail(id, offset, length);
      if (typeof bytes === "number") throw new Error(`${path}: no such tail`);
      return bytes;
    },
    inode(path) {
      const id = idOf(path);
      return id === undefined ? files.inode(path) : id < 0 ? undefined : id; // a tail is never replaced
    },
    first(path) {
      const id = idOf(path);
      const size = id === undefined || id < 0 || !os ? 0 : os.tailSize(id);
      return Math.max(0, size - maxBytes);
    },
    clear(path) {
      const id = idOf(path);
      if (id === undefined || id < 0 || !os) return false;
      os.clearTail(id);
      return true;
    },
  };
}
