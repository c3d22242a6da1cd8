// Talking to control sockets from the outside: find them, send commands, ask STATUS.
import { readdirSync, unlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { tmpdir } from "node:os";
import type { Os } from "../os/types.ts";
import { decodeStatus, type ControlCommand, type StatusReply } from "../core/control-protocol.ts";
import { SOCKET_SUFFIX } from "../control/paths.ts";

/** How long `status` waits for replies. */
export const STATUS_TIMEOUT_MS = 1000;

/**
 * Every `*_containerrun.sock` below `dir` (what the seed's find loop finds).
 * @example findSockets("/var/vcap/data") // ["/var/vcap/data/web/nginx_containerrun.sock"]
 */
export function findSockets(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return findSockets(path);
    // By name, as the seed's `find -name` does (Deno's Dirent does not report sockets).
    return e.name.endsWith(SOCKET_SUFFIX) ? [path] : [];
  }).sort();
}

/**
 * Sends a fire-and-forget command (no reply expected), like `echo STOP | nc -uU`.
 * @example await sendCommand(os, "/var/vcap/data/web/nginx_containerrun.sock", "STOP") // 0 or -errno
 */
export function sendCommand(os: Os, socket: string, command: ControlCommand): Promise<number> {
  return os.sendDatagram(socket, new TextEncoder().encode(`${command}\n`));
}

/**
 * Asks each socket for STATUS from a temporary bound socket; unanswered ones map to undefined.
 * @example const replies = await queryStatus(os, findSockets("/var/vcap/data")); // socket -> reply or undefined
 */
export async function queryStatus(os: Os, sockets: string[], timeoutMs = STATUS_TIMEOUT_MS): Promise<Map<string, StatusReply | undefined>> {
  const replies = new Map<string, StatusReply | undefined>(sockets.map((s) => [s, undefined]));
  let pending = sockets.length;
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const onReply = (data: Uint8Array, from: string | undefined) => {
    const reply = decodeStatus(data);
    if (reply && from && replies.has(from) && replies.get(from) === undefined) {
      replies.set(from, reply);
      if (--pending === 0) finish();
    }
  };
  // The reply address must be reachable from the server's side: next to the sockets (the
  // shared volume, also across containers), else in the temp dir.
  const name = `.corral-ctl-${os.pid}-${Math.random().toString(36).slice(2)}.reply`;
  let own = join(dirname(sockets[0] ?? tmpdir()), name);
  let client;
  try {
    client = os.bindDatagram(own, onReply);
  } catch {
    own = join(tmpdir(), name);
    client = os.bindDatagram(own, onReply);
  }
  try {
    const status = new TextEncoder().encode("STATUS");
    for (const s of sockets) if ((await client.sendTo(s, status)) !== 0) pending--;
    if (pending > 0) {
      const timer = setTimeout(finish, timeoutMs);
      await done;
      clearTimeout(timer);
    }
  } finally {
    client.close();
    try { unlinkSync(own); } catch { /* gone */ }
  }
  return replies;
}
