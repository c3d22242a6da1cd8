// [fcgi-program:x]: a program whose processes share one listening socket as their stdin (fd 0),
// read as supervisord reads it (options.py's fcgi section and parse_fcgi_socket).
import { normalize } from "node:path";
import { expected } from "./errors.ts";
import type { Names } from "./expand.ts";
import type { IniSection } from "./ini.ts";
import { programSpecs, type ProgramContext } from "./program.ts";
import { sectionReader } from "./section-reader.ts";
import type { FcgiSocket, ProgramSpec } from "./types.ts";
import { lookupGroup, lookupUser } from "./users.ts";
import * as v from "./values.ts";

/** supervisord's default mode of a unix fcgi socket. */
const DEFAULT_SOCKET_MODE = 0o700;
const TCP = /^tcp:\/\/([^\s:]+):(\d+)\n?$/;

/**
 * socket_owner= / chown=: USER or USER:GROUP (names or ids), as supervisord's colon_separated_user_group; gid -1 when no group is given.
 * @example userGroup("www-data:www-data", "www-data:x:33:33::/var/www:/bin/sh", "www-data:x:33:") // [33, 33]
 */
export function userGroup(text: string, passwd: string, group: string): [number, number] {
  const colon = text.indexOf(":");
  const uid = lookupUser(colon < 0 ? text : text.slice(0, colon), passwd).uid;
  return [uid, colon < 0 ? -1 : lookupGroup(text.slice(colon + 1), group)];
}

/** socket= with the owner, mode and backlog read beside it. */
function parseSocket(text: string, procUid: number | undefined, owner: [number, number] | undefined, mode: number | undefined, backlog: number | undefined,
  ctx: ProgramContext): FcgiSocket {
  const optional = { ...(backlog === undefined ? {} : { backlog }) };
  if (text.startsWith("unix://")) {
    const path = text.slice("unix://".length);
    if (!path.startsWith("/")) throw expected("unix://ABSOLUTE_PATH", text);
    const normal = normalize(path).replace(/(.)\/$/, "$1");
    let own = owner;
    if (own === undefined && procUid !== undefined && procUid !== (ctx.uid ?? 0)) {
      own = [procUid, lookupUser(String(procUid), ctx.passwd()).gid];
    }
    return { url: `unix://${normal}`, mode: mode ?? DEFAULT_SOCKET_MODE, ...(own ? { owner: own } : {}), ...optional };
  }
  if (owner !== undefined || mode !== undefined) throw expected("socket_owner and socket_mode only with a unix:// socket", text);
  const m = TCP.exec(text);
  if (!m) throw expected("tcp://HOST:PORT or unix:///PATH", text);
  return { url: `tcp://${m[1]!.toLowerCase()}:${v.portNumber(m[2]!)}`, ...optional };
}

/**
 * Reads an [fcgi-program:x]: its socket (socket= required; socket_owner=, socket_mode= only for
 * unix://; socket_backlog= 1-65535) and its processes, each carrying the socket.
 * @example fcgiSpecs(readIni("[fcgi-program:php]\nsocket=tcp://127.0.0.1:9000\ncommand=php-cgi", "a.conf")[0]!, "php", ctx, {})[0]!.socket // { url: "tcp://127.0.0.1:9000" }
 */
export function fcgiSpecs(section: IniSection, name: string, ctx: ProgramContext, names: Names): ProgramSpec[] {
  const r = sectionReader(section);
  const program = r.check("", () => v.processName(name));
  const user = r.read("user", names, (t) => lookupUser(t, ctx.passwd()).uid, undefined);
  const backlog = r.read("socket_backlog", names, (t) => {
    const n = v.integer(t);
    if (n < 1 || n > 65535) throw expected("a socket backlog from 1 to 65535", t);
    return n;
  }, undefined);
  const owner = r.read("socket_owner", names, (t) => userGroup(t, ctx.passwd(), ctx.group?.() ?? ""), undefined);
  const mode = r.read("socket_mode", names, v.octal, undefined);
  const text = r.read("socket", { ...names, program_name: program }, (t) => t, undefined);
  if (!text) r.fail("socket", expected("tcp://HOST:PORT or unix:///PATH", text ?? ""));
  const socket = r.check("socket", () => parseSocket(text!, user, owner, mode, backlog, ctx));
  return programSpecs(section, name, ctx, undefined, { fcgi: true }).map((p) => ({ ...p, socket }));
}
