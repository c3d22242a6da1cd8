// supervisord's readFile and tailFile (options.py) over the LogFiles port, and which log a
// process channel is read from: its file, or the in-memory tail corral keeps (logs/tails.ts).
import { MAIN_TAIL, tailName } from "../logs/tails.ts";
import { RpcFault } from "./faults.ts";
import { makeName } from "./names.ts";
import type { LogFiles, ProcessInfo } from "./port.ts";

/**
 * What a process channel's log is read from (LogFiles): its log file when it writes one, else
 * the name of its in-memory tail (which LogFiles knows while corral keeps one for it: not for
 * stdout_logfile=NONE, nor the stderr of a redirect_stderr program, whose output is in stdout's).
 * @example logSource(port.processes()[0]!, "stdout") // "/var/log/web.log", or "tail:web/stdout"
 */
export function logSource(info: Pick<ProcessInfo, "name" | "group" | "stdoutLogfile" | "stderrLogfile">, channel: "stdout" | "stderr"): string {
  const file = channel === "stdout" ? info.stdoutLogfile : info.stderrLogfile;
  return file || tailName(makeName(info.group, info.name), channel);
}

/**
 * What corral's own messages are read from: its log file if it had one, else their tail.
 * @example mainLogSource(undefined) // "tail:corral"
 */
export function mainLogSource(mainLogfile: string | undefined): string {
  return mainLogfile ?? MAIN_TAIL;
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/**
 * `length` bytes from `offset` (of a tail: those it still keeps); a negative offset with length 0 reads that many bytes from
 * the end; length 0 reads to the end. Faults: NO_FILE, BAD_ARGUMENTS, FAILED.
 * @example readLog(logs, "/var/log/web.log", -1600, 0) // the last 1600 bytes
 */
export function readLog(files: LogFiles, path: string, offset: number, length: number): string {
  const size = path ? files.size(path) : undefined;
  if (size === undefined) throw new RpcFault("NO_FILE", path || "None");
  if ((offset < 0 && length) || length < 0) throw new RpcFault("BAD_ARGUMENTS");
  try {
    if (offset < 0) {
      const from = Math.max(0, size + offset);
      return text(files.read(path, from, Math.min(-offset, size - from)));
    }
    return text(files.read(path, offset, length === 0 ? Math.max(0, size - offset) : length));
  } catch {
    throw new RpcFault("FAILED");
  }
}

/**
 * supervisord's tailFile: [text, next offset, overflow]; a missing file is ["", 0, false].
 * @example tailLog(logs, "/var/log/web.log", 0, 1024) // ["…", 2048, true]
 */
export function tailLog(files: LogFiles, path: string, offset: number, length: number): [string, number, boolean] {
  const size = path ? files.size(path) : undefined;
  if (size === undefined) return ["", 0, false];
  let overflow = false;
  if (size > offset + length) {
    overflow = true;
    offset = size - 1;
  }
  if (offset + length > size) {
    if (offset > size - 1) length = 0;
    offset = size - length;
  }
  offset = Math.max(0, offset);
  length = Math.max(0, length);
  try {
    return [length ? text(files.read(path, offset, length)) : "", size, overflow];
  } catch {
    return ["", offset, false];
  }
}
