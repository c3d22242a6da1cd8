// Where the control server listens, from the config's sections, the flag and the environment.
import type { HttpServerConfig } from "../config/http-server.ts";
import { CONTROL_DIR_MODE, CONTROL_SOCKET_ENV, CONTROL_SOCKET_MODE, DEFAULT_CONTROL_SOCKET } from "./constants.ts";
import type { Credentials } from "./server.ts";

/** One address the control server listens on. */
export interface ControlEndpoint {
  address: { kind: "unix"; path: string } | { kind: "tcp"; host: string; port: number };
  /** Socket file mode, owner, and whether to create its directory (unix only). */
  unix?: { mode: number; owner?: { uid: number; gid: number }; dirMode?: number };
  credentials?: Credentials;
  /** One warning to print at start (an open [inet_http_server]). */
  warning?: string;
}

/**
 * The SUPERVISOR_SERVER_URL corral gives its programs, as supervisord derives it from its own
 * servers: the first unix socket (`unix:///path`), else the first TCP one (`http://host:port`,
 * an empty host as localhost); undefined when corral serves none.
 * @example serverUrlOf(controlEndpoints({ rpcInterface: false }, {}, undefined)) // "unix:///run/corral/corral.sock"
 */
export function serverUrlOf(endpoints: readonly ControlEndpoint[]): string | undefined {
  const unix = endpoints.find((e) => e.address.kind === "unix")?.address;
  if (unix?.kind === "unix") return `unix://${unix.path}`;
  const tcp = endpoints.find((e) => e.address.kind === "tcp")?.address;
  return tcp?.kind === "tcp" ? `http://${tcp.host || "localhost"}:${tcp.port}` : undefined;
}

/**
 * The endpoints for a config: [unix_http_server] and [inet_http_server] as written; without
 * [unix_http_server], corral's own socket (flag, then $CORRAL_CONTROL_SOCKET, then
 * /run/corral/corral.sock; directory 0700, socket 0600). `flag` "" turns the default socket off.
 * @example controlEndpoints({ rpcInterface: false }, {}, undefined)[0]?.address // { kind: "unix", path: "/run/corral/corral.sock" }
 */
export function controlEndpoints(http: HttpServerConfig, env: Record<string, string | undefined>, flag: string | undefined): ControlEndpoint[] {
  const out: ControlEndpoint[] = [];
  if (http.unix) {
    out.push({ address: { kind: "unix", path: http.unix.file }, unix: { mode: http.unix.mode, owner: http.unix.owner }, credentials: http.unix.credentials });
  } else {
    const path = flag ?? env[CONTROL_SOCKET_ENV] ?? DEFAULT_CONTROL_SOCKET;
    if (path !== "") out.push({ address: { kind: "unix", path }, unix: { mode: CONTROL_SOCKET_MODE, dirMode: CONTROL_DIR_MODE } });
  }
  if (http.inet) {
    const { host, port, credentials, origin, exposed } = http.inet;
    out.push({
      address: { kind: "tcp", host, port }, credentials,
      warning: exposed ? `${origin}: [inet_http_server] listens on ${host}:${port} without username/password: anyone who reaches it can control every program` : undefined,
    });
  }
  return out;
}
