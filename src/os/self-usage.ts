// corral's own CPU time, memory and start time, for /metrics (node:process works on Deno too).
import { cpuUsage, memoryUsage } from "node:process";

/** What the Prometheus client libraries publish as process_* about their own process. */
export interface SelfUsage {
  /** User plus system CPU time, in seconds. */
  cpuSeconds: number;
  /** Resident set size, in bytes. */
  residentBytes: number;
  /** When the runtime started, in seconds since the epoch. */
  startSeconds: number;
}

/**
 * Reads corral's own usage now.
 * @example selfUsage().residentBytes // 41385984
 */
export function selfUsage(): SelfUsage {
  const cpu = cpuUsage();
  return { cpuSeconds: (cpu.user + cpu.system) / 1e6, residentBytes: memoryUsage.rss(), startSeconds: performance.timeOrigin / 1000 };
}
