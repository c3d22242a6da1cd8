// corral's ready= key: the shape of a readiness probe is checked here, the probe runs elsewhere.
import { BadValue } from "./errors.ts";
import { splitCommand } from "./shlex.ts";

const SHAPES = "http://…, https://…, tcp:HOST:PORT or exec:COMMAND";
const MAX_PORT = 65535;

/** Whether `tcp:` is followed by HOST:PORT with a port from 1 to 65535 (HOST may be [v6]). */
function isTcp(rest: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):(\d+)$/.exec(rest);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= MAX_PORT;
}

/** Whether the text is an http(s) URL with a host. */
function isHttp(text: string): boolean {
  try {
    return new URL(text).hostname !== "";
  } catch {
    return false;
  }
}

/**
 * Checks a ready= probe's shape and returns its text unchanged.
 * @example readyProbe("tcp:localhost:5432") // "tcp:localhost:5432"
 */
export function readyProbe(text: string): string {
  const lower = text.toLowerCase();
  if (lower.startsWith("http://") || lower.startsWith("https://")) {
    if (isHttp(text)) return text;
  } else if (lower.startsWith("tcp:")) {
    if (isTcp(text.slice(4))) return text;
  } else if (lower.startsWith("exec:")) {
    if (splitCommand(text.slice(5)).length > 0) return text;
  }
  throw new BadValue(SHAPES, text);
}
