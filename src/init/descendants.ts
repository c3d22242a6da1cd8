// Every process below corral, for a subreaper that is not PID 1 (kill(-1) would hit the host).
import { readdirSync, readFileSync } from "node:fs";

/**
 * Pids of all descendants of `root`, from one scan of /proc/N/stat.
 * @example descendants(process.pid) // [1234, 1240]
 */
export function descendants(root: number): number[] {
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
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.pop()!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}
