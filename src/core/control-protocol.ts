// The datagram protocol: container-run's STOP/START, plus QUIT, RESTART and STATUS.

/** Commands the control socket acts on; every other datagram is ignored. */
export type ControlCommand = "STOP" | "START" | "QUIT" | "RESTART" | "STATUS";

const COMMANDS: ReadonlySet<string> = new Set(["STOP", "START", "QUIT", "RESTART", "STATUS"]);
/** Longer datagrams cannot be a command; they are ignored without decoding. */
export const MAX_COMMAND_BYTES = 64;

/** Each command's bytes, to match datagrams against without decoding them. */
const COMMAND_BYTES: ReadonlyArray<[ControlCommand, Uint8Array]> = [...COMMANDS].map((c) => [c as ControlCommand, new TextEncoder().encode(c)]);

const isSpace = (b: number) => b === 0x20 || b === 0x09 || b === 0x0d || b === 0x0a;

/**
 * The command in a datagram: exact case, surrounding whitespace ignored (so `echo STOP | nc`
 * works); anything else — other words, `stop`, `STOP\0`, binary, empty — is undefined.
 * Compares bytes, so a flood of junk allocates nothing.
 * @example parseCommand(new TextEncoder().encode("STOP\n")) // "STOP"
 */
export function parseCommand(data: Uint8Array): ControlCommand | undefined {
  if (data.length === 0 || data.length > MAX_COMMAND_BYTES) return undefined;
  let start = 0, end = data.length;
  while (start < end && isSpace(data[start]!)) start++;
  while (end > start && isSpace(data[end - 1]!)) end--;
  for (const [command, bytes] of COMMAND_BYTES) {
    if (bytes.length !== end - start) continue;
    let i = 0;
    while (i < bytes.length && bytes[i] === data[start + i]) i++;
    if (i === bytes.length) return command;
  }
  return undefined;
}

/** What a STATUS reply carries (one JSON object per datagram). */
export interface StatusReply {
  job: string;
  process: string;
  state: string;
  pid: number;
  /** ms since epoch when the current state began */
  since: number;
  restarts: number;
  lastExit: number | null;
}

/**
 * Encodes a STATUS reply.
 * @example encodeStatus({ job: "web", process: "nginx", state: "RUNNING", pid: 7, since: Date.now(), restarts: 0, lastExit: null }) // bytes of {"job":"web",…}
 */
export function encodeStatus(reply: StatusReply): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(reply));
}

/**
 * Decodes a STATUS reply; undefined when it is not one.
 * @example decodeStatus(new TextEncoder().encode(`{"job":"web","process":"nginx","state":"RUNNING","pid":7,"since":0,"restarts":0,"lastExit":null}`))?.state // "RUNNING"
 */
export function decodeStatus(data: Uint8Array): StatusReply | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as StatusReply;
    return typeof v.state === "string" && typeof v.job === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}
