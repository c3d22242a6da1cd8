// Every process below corral, for a subreaper that is not PID 1 (kill(-1) would hit the host).
import { readdirSync, readFileSync } from "node:fs";

/** Children of `pid` from /proc/PID/task/TID/children; undefined where the kernel lacks them. */
function childrenOf(pid: number): number[] | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return []; // exited meanwhile
  }
  try {
    return tids.flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, "latin1").split(" ").filter(Boolean).map(Number));
  } catch {
    return undefined;
  }
}

/** Parent pids of every process, from one scan of /proc/N/stat (the fallback). */
function childrenMap(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue; // exited while scanning
    }
    // Field 4 (ppid) follows the command name, which may itself contain ") ".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  return children;
}

/**
 * Pids of all descendants of `root`: walks the children lists down from `root`
 * (cheap: only corral's own subtree), or scans all of /proc where those lists are missing.
 * @example descendants(process.pid) // [1234, 1240]
 */
export function descendants(root: number): number[] {
  let map: Map<number, number[]> | undefined;
  const kids = (pid: number) => childrenOf(pid) ?? (map ??= childrenMap()).get(pid) ?? [];
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of kids(queue.pop()!)) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
