// tcp:HOST:PORT probes: healthy means something accepts a connection there.
import type { Os } from "../os/types.ts";
import { formatDuration } from "../core/duration.ts";
import { HEALTHY, unhealthy, type ProbeResult } from "./result.ts";

/**
 * Connects to host:port and closes at once, bounded by `timeoutMs`.
 * @example await tcpProbe(os, "127.0.0.1", 5432, 5000) // { healthy: true, ... }
 */
export async function tcpProbe(os: Os, host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  const why = await os.tcpConnect(host, port, timeoutMs);
  if (why === undefined) return HEALTHY;
  return unhealthy(why === "timeout" ? `no connection within ${formatDuration(timeoutMs)}` : `connection failed (${why})`);
}
