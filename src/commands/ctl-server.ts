// Which server `corral ctl` talks to in config mode, and whether it is in config mode at all.
import { readIni } from "../config/ini.ts";
import { httpServerConfig } from "../config/http-server.ts";
import { UsageError } from "../core/errors.ts";
import { CONTROL_SOCKET_ENV, CONTROL_SOCKET_FLAG, DEFAULT_CONTROL_SOCKET } from "../rpc/constants.ts";
import type { ControlEndpoint } from "../rpc/endpoints.ts";
import type { Credentials } from "../rpc/server.ts";

/** Where config mode connects, and the serverurl it names in messages. */
export interface CtlServer {
  address: ControlEndpoint["address"];
  serverurl: string;
  credentials?: Credentials;
}

/** Flags only config mode knows (each takes a value). */
export const CONFIG_FLAGS = ["--server", CONTROL_SOCKET_FLAG, "--config", "-c", "--username", "--password"] as const;
/** Verbs container-run sockets do not have: they always mean config mode. */
const CONFIG_ONLY_VERBS = new Set(["signal", "pid", "ready"]);

/**
 * Parses a supervisorctl serverurl: unix:///PATH or http://HOST:PORT.
 * @example serverAddress("unix:///run/supervisor.sock") // { kind: "unix", path: "/run/supervisor.sock" }
 */
export function serverAddress(url: string): ControlEndpoint["address"] {
  if (url.startsWith("unix://")) return { kind: "unix", path: url.slice("unix://".length) };
  const m = /^http:\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(url);
  if (!m) throw new UsageError(`--server: expected unix:///PATH or http://HOST:PORT, got "${url}"`);
  return { kind: "tcp", host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2] ?? 80) };
}

/**
 * The config-mode flags taken out of `args`, and what is left (verb and names).
 * @example splitConfigFlags(["-c", "/etc/s.conf", "status"]) // { flags: Map { "--config" => "/etc/s.conf" }, rest: ["status"] }
 */
export function splitConfigFlags(args: string[]): { flags: Map<string, string>; rest: string[] } {
  const flags = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (!(CONFIG_FLAGS as readonly string[]).includes(name)) {
      rest.push(a);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`${name}: expected a value`);
    flags.set(name === "-c" ? "--config" : name, value);
  }
  return { flags, rest };
}

/**
 * Decides config mode: a config-mode flag, $CORRAL_CONTROL_SOCKET, a config-only verb
 * (signal, pid, ready), or corral's default socket existing (container-run mode never
 * creates it). Otherwise undefined: container-run sockets, as before.
 * `readText` reads --config's file; `exists` tests the default socket.
 * @example ctlServer(["status"], {}, () => "", (p) => p === "/run/corral/corral.sock")?.server.serverurl // "unix:///run/corral/corral.sock"
 */
export function ctlServer(args: string[], env: Record<string, string | undefined>, readText: (path: string) => string, exists: (path: string) => boolean): { server: CtlServer; rest: string[] } | undefined {
  const { flags, rest } = splitConfigFlags(args);
  const verb = rest.find((a) => !a.startsWith("-"));
  const explicit = flags.size > 0 || env[CONTROL_SOCKET_ENV] !== undefined;
  if (!explicit && !CONFIG_ONLY_VERBS.has(verb ?? "") && (rest.includes("--base-dir") || !exists(DEFAULT_CONTROL_SOCKET))) return undefined;
  let credentials: Credentials | undefined;
  let url = flags.get("--server");
  const socket = flags.get(CONTROL_SOCKET_FLAG);
  if (!url && socket) url = `unix://${socket}`;
  const config = flags.get("--config");
  if (!url && config) {
    let text: string;
    try { text = readText(config); } catch (e) { throw new UsageError(`--config: expected a readable config file, got ${(e as { code?: string }).code ?? e} for "${config}"`); }
    const passwd = () => { try { return readText("/etc/passwd"); } catch { return ""; } };
    const http = httpServerConfig(readIni(text, config), passwd, env);
    url = http.client?.serverurl ?? (http.unix ? `unix://${http.unix.file}` : http.inet ? `http://${http.inet.host === "0.0.0.0" ? "127.0.0.1" : http.inet.host}:${http.inet.port}` : undefined);
    credentials = http.client?.credentials ?? http.unix?.credentials ?? http.inet?.credentials;
  }
  url ??= `unix://${env[CONTROL_SOCKET_ENV] ?? DEFAULT_CONTROL_SOCKET}`;
  const username = flags.get("--username"), password = flags.get("--password");
  if (username !== undefined || password !== undefined) credentials = { username: username ?? "", password: password ?? "" };
  return { server: { address: serverAddress(url), serverurl: url, credentials }, rest };
}
