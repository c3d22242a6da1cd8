// Which descriptors above 2 corral was given. Node and Deno open their own (epoll, eventfd,
// pipes, sockets) at the lowest free numbers when they start, before corral runs: a number the
// caller left free holds the runtime's own by the time corral looks. Node marks every inherited
// descriptor close-on-exec at its start (libuv's uv_disable_stdio_inheritance), so the flag
// tells nothing there; Deno leaves them as they came, and opens its own close-on-exec.
import type { FdFacts, Os } from "./types.ts";

/**
 * Why descriptor `fd` cannot be one corral was given (`facts`: what is open there, as
 * `Os.fdFacts` tells), or undefined when it can. The runtime's own are told by their kind:
 * an anon inode (epoll, eventfd), on Node a pipe or socket whose other end corral holds too,
 * on Deno anything close-on-exec (what survived an exec into Deno never is).
 * @example notGivenReason(4, { closeOnExec: true, target: "anon_inode:[eventpoll]", sameTarget: 0 }, "node") // "holds anon_inode:[eventpoll], node's own: nothing was open at 4 when node started"
 */
export function notGivenReason(fd: number, facts: FdFacts | undefined, runtime: Os["runtime"]): string | undefined {
  if (!facts) return `is not open`;
  const own = facts.target.startsWith("anon_inode:") ||
    (runtime === "node" ? facts.sameTarget > 0 && /^(pipe|socket):/.test(facts.target) : facts.closeOnExec);
  return own ? `holds ${facts.target || "a descriptor"}, ${runtime}'s own: nothing was open at ${fd} when ${runtime} started` : undefined;
}

/**
 * The first descriptor of 3 .. 2+`count` that corral was not given, with why; undefined when
 * all of them look given.
 * @example firstNotGiven(os, 2) // "fd 4 is not open" when only fd 3 was passed
 */
export function firstNotGiven(os: Os, count: number): string | undefined {
  for (let fd = 3; fd < 3 + count; fd++) {
    const reason = notGivenReason(fd, os.fdFacts(fd), os.runtime);
    if (reason) return `fd ${fd} ${reason}`;
  }
  return undefined;
}
