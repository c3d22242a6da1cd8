// user= resolved through /etc/passwd and /etc/group text (handed in, so the parser stays pure).
import { expected } from "./errors.ts";
import { toInteger } from "./values.ts";
import type { ProgramSpec } from "./types.ts";

/** A resolved account: what the supervisor needs to drop privileges and set HOME. */
export type Account = NonNullable<ProgramSpec["user"]>;

/**
 * The gids initgroups(3) gives `user`: `gid` first, then every /etc/group entry that lists
 * the user as a member, each once (supervisord's drop_privileges calls initgroups).
 * @example supplementaryGroups("app", 1000, "ssl-cert:x:110:app,www\napp:x:1000:") // [1000, 110]
 */
export function supplementaryGroups(user: string, gid: number, group: string): number[] {
  const gids = [gid];
  for (const line of group.split("\n")) {
    const f = line.split(":");
    if (f.length < 4 || !/^\d+$/.test(f[2]!)) continue;
    const members = f[3]!.split(",").map((m) => m.trim());
    const id = Number(f[2]);
    if (members.includes(user) && !gids.includes(id)) gids.push(id);
  }
  return gids;
}

/**
 * Finds `name` (or a numeric uid, like supervisord's name_to_uid) in passwd text, with the
 * groups /etc/group (`group` text) lists the account in.
 * @example lookupUser("app", "app:x:1000:1000::/home/app:/bin/sh") // { name: "app", uid: 1000, gid: 1000, home: "/home/app", groups: [1000] }
 */
export function lookupUser(name: string, passwd: string, group = ""): Account {
  const uid = toInteger(name);
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    if (uid !== undefined ? Number(f[2]) === uid : f[0] === name) {
      const gid = Number(f[3]);
      return { name: f[0]!, uid: Number(f[2]), gid, home: f[5]!, groups: supplementaryGroups(f[0]!, gid, group) };
    }
  }
  throw expected("a user name or uid listed in /etc/passwd", name);
}

/**
 * A group name or gid (supervisord's name_to_gid) found in /etc/group text: its gid.
 * @example lookupGroup("nogroup", "nogroup:x:65534:") // 65534
 */
export function lookupGroup(name: string, group: string): number {
  const gid = toInteger(name);
  for (const line of group.split("\n")) {
    const f = line.split(":");
    if (f.length < 3 || !/^\d+$/.test(f[2]!)) continue;
    if (gid !== undefined ? Number(f[2]) === gid : f[0] === name) return Number(f[2]);
  }
  throw expected("a group name or gid listed in /etc/group", name);
}
