// The thin adapter: serves the control API on its endpoints. node:net is loaded here, on first
// use only, so `corral -- cmd` and configs without a control server never load it.
import type { ControlEndpoint } from "./endpoints.ts";
import type { ControlPort, LogFiles } from "./port.ts";
import { CONNECTION_SWEEP_MS, MAX_CONNECTIONS } from "./constants.ts";
import { ROUTES, serveConnection, type Route } from "./server.ts";

/** The running control servers. */
export interface ControlServers {
  /** Stops listening, drops every connection, removes the socket files. */
  close(): void;
}

/**
 * Listens on every endpoint and serves each connection against `port`. Rejects with one line
 * naming the address when one cannot be bound (the others are closed again). `more` routes are
 * tried after ROUTES (config mode adds the web page's, src/web/route.ts).
 * @example const servers = await startControlServers(controlEndpoints({ rpcInterface: true }, env, undefined), port, (m) => console.error(m)); servers.close(); // listened on /run/corral/corral.sock (or $CORRAL_CONTROL_SOCKET), then stopped
 */
export async function startControlServers(endpoints: readonly ControlEndpoint[], port: ControlPort, warn: (message: string) => void, logs?: LogFiles, more: readonly Route[] = []): Promise<ControlServers> {
  const net = await import("../os/control-net.ts");
  const files = logs ?? net.nodeLogFiles();
  const every = (ms: number, fn: () => void) => {
    const t = setInterval(fn, ms);
    return () => clearInterval(t);
  };
  const now = () => performance.now();
  const routes = [...ROUTES, ...more];
  const started: { close(): void }[] = [];
  try {
    for (const e of endpoints) {
      if (e.warning) warn(e.warning);
      const ctx = { port, logs: files, credentials: e.credentials, every, now, warn };
      const limits = { maxConnections: MAX_CONNECTIONS, sweepMs: CONNECTION_SWEEP_MS };
      started.push(await net.listenStream(e.address, e.unix, (stream) => serveConnection(stream, ctx, routes), limits));
    }
  } catch (err) {
    started.forEach((s) => s.close());
    throw err;
  }
  return { close: () => started.forEach((s) => s.close()) };
}
