// tcp:HOST:PORT probes: healthy means something accepts a connection there.
import { connect } from "node:net";
import { formatDuration } from "../core/duration.ts";
import { HEALTHY, unhealthy, type ProbeResult } from "./result.ts";

/**
 * Connects to host:port and closes at once, bounded by `timeoutMs`.
 * @example await tcpProbe("127.0.0.1", 5432, 5000) // { healthy: true, ... }
 */
export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (result: ProbeResult): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done(unhealthy(`no connection within ${formatDuration(timeoutMs)}`)), timeoutMs);
    socket.once("connect", () => done(HEALTHY));
    socket.once("error", (err: NodeJS.ErrnoException) => done(unhealthy(`connection failed (${err.code ?? err.message})`)));
  });
}
