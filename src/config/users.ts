// user= resolved through /etc/passwd text (handed in, so the parser stays pure).
import { expected } from "./errors.ts";
import type { ProgramSpec } from "./types.ts";

/** A resolved account: what the supervisor needs to drop privileges and set HOME. */
export type Account = NonNullable<ProgramSpec["user"]>;

/**
 * Finds `name` (or a numeric uid, like supervisord's name_to_uid) in passwd text.
 * @example lookupUser("app", "app:x:1000:1000::/home/app:/bin/sh") // { name: "app", uid: 1000, gid: 1000, home: "/home/app" }
 */
export function lookupUser(name: string, passwd: string): Account {
  const byUid = /^\d+$/.test(name);
  for (const line of passwd.split("\n")) {
    const f = line.split(":");
    if (f.length < 7 || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    if (byUid ? f[2] === String(Number(name)) : f[0] === name) {
      return { name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
    }
  }
  throw expected("a user name or uid listed in /etc/passwd", name);
}
