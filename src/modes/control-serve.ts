// Config mode's control servers: the endpoints of [unix_http_server] / [inet_http_server] (or
// corral's default socket), served with the loop's ControlPort. Imported lazily by config mode.
import type { HttpServerConfig } from "../config/http-server.ts";
import { UsageError } from "../core/errors.ts";
import { info, warn } from "../log.ts";
import type { Os } from "../os/types.ts";
import { controlEndpoints, type ControlEndpoint } from "../rpc/endpoints.ts";
import { startControlServers, type ControlServers } from "../rpc/listen.ts";
import { DEFAULT_TAIL_BYTES, keepTails, withTails } from "../logs/tails.ts";
import { webRoute } from "../web/route.ts";
import { LoopControlPort, type ReadConfig } from "./control-api.ts";
import type { LoopHandle } from "./loop.ts";

/** What config mode knows about its control API. */
export interface ControlApiOptions {
  http: HttpServerConfig;
  /** --control-socket (or $CORRAL_CONTROL_SOCKET); "" turns the default socket off. */
  socket: string | undefined;
  /** Reads the config again: the programs it now has (throws with one line when invalid). */
  reread: () => ReadConfig;
  /** Bytes of in-memory tail per program channel ([supervisord] tail_maxbytes=; 0: none). */
  tailBytes?: number;
  /** Writes to a program's stdin pipe (by supervisor name); false when it has none. */
  writeStdin?: (name: string, data: string) => boolean;
}

const where = (e: ControlEndpoint) => (e.address.kind === "unix" ? e.address.path : `${e.address.host}:${e.address.port}`);

/**
 * Listens on every endpoint; a configured one that cannot be bound is a UsageError (exit 2),
 * the default socket only warns. Resolves to what closes them all (and removes the socket files).
 * @example pid1.atExit(await serveControlApi(os, pid1, { http: config.http, socket: undefined, reread: () => ({ programs: programsOf(config, false) }) }))
 */
export async function serveControlApi(os: Os, loop: LoopHandle, options: ControlApiOptions): Promise<() => void> {
  const endpoints = controlEndpoints(options.http, os.env, options.socket);
  if (!endpoints.length) return () => {}; // no socket code loaded at all
  const { commandRefusal, truncateLog, nodeLogFiles } = await import("../os/control-net.ts");
  // Before the first spawn: every program's output to corral's stdout/stderr is kept in a tail.
  keepTails(os, options.tailBytes ?? DEFAULT_TAIL_BYTES);
  const logs = withTails(nodeLogFiles());
  const port = new LoopControlPort(os, loop, options.reread, { truncate: truncateLog, refusal: commandRefusal }, options.writeStdin);
  const configured = endpoints.filter((e) => e.unix?.dirMode === undefined);
  const fallback = endpoints.filter((e) => e.unix?.dirMode !== undefined);
  const servers: ControlServers[] = [];
  const origin = options.http.unix?.origin ?? options.http.inet?.origin;
  try {
    if (configured.length) servers.push(await startControlServers(configured, port, warn, logs, [webRoute]));
  } catch (err) {
    throw new UsageError(`${origin ? `${origin}: ` : ""}${(err as Error).message}`);
  }
  const serving = [...configured];
  for (const e of fallback) {
    try {
      servers.push(await startControlServers([e], port, warn, logs, [webRoute]));
      serving.push(e);
    } catch (err) {
      warn(`control API: ${(err as Error).message}; \`corral ctl\` cannot reach this corral (set --control-socket or $CORRAL_CONTROL_SOCKET)`);
    }
  }
  for (const e of serving) info(`control API on ${where(e)}`);
  return () => servers.forEach((s) => s.close());
}
