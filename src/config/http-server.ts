// [unix_http_server], [inet_http_server] and [supervisorctl]: where corral serves its
// control API and where `corral ctl` finds it. Takes the parsed INI sections (readIni's).
import { dirname } from "node:path";
import { BadValue, ConfigError, expected, where } from "./errors.ts";
import { envNames, expand, type Env } from "./expand.ts";
import type { IniSection } from "./ini.ts";
import { lookupUser } from "./users.ts";

/** Basic-auth credentials (both set, or neither: supervisord refuses one alone). */
export interface HttpCredentials {
  username: string;
  password: string;
}

/** [unix_http_server]: the socket file and its mode and owner. */
export interface UnixHttpServer {
  file: string;
  /** chmod= (octal), supervisord's default 0700. */
  mode: number;
  /** chown= resolved to numbers; undefined leaves the owner as it is. */
  owner?: { uid: number; gid: number };
  credentials?: HttpCredentials;
  origin: string;
}

/** [inet_http_server]: host and port. */
export interface InetHttpServer {
  host: string;
  port: number;
  credentials?: HttpCredentials;
  origin: string;
  /** Set when it listens beyond loopback without a password (warned once at start). */
  exposed: boolean;
}

/** What the three sections say. */
export interface HttpServerConfig {
  unix?: UnixHttpServer;
  inet?: InetHttpServer;
  /** [supervisorctl] serverurl= (unix:///path or http://host:port), username=, password=. */
  client?: { serverurl?: string; credentials?: HttpCredentials };
  /** Whether [rpcinterface:supervisor] is present (supervisorctl needs it; corral serves the API regardless). */
  rpcInterface: boolean;
}

const DEFAULT_UNIX_MODE = 0o700;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1"]);
const KEYS: Readonly<Record<string, readonly string[]>> = {
  unix_http_server: ["file", "chmod", "chown", "username", "password"],
  inet_http_server: ["port", "username", "password"],
  supervisorctl: ["serverurl", "username", "password", "prompt", "history_file"],
};

function reader(section: IniSection, env: Env) {
  const at = (key: string) => `${where(section.file, section.entries.get(key)?.line ?? section.line)}[${section.name}] ${key}: `;
  const names = { ...envNames(env), here: dirname(section.file) };
  const get = (key: string) => {
    const raw = section.entries.get(key)?.value.trim();
    try {
      return raw === undefined ? undefined : expand(raw, names);
    } catch (e) {
      if (e instanceof BadValue) throw new ConfigError(at(key) + e.message);
      throw e;
    }
  };
  const fail = (key: string, what: string, got: string): never => {
    throw new ConfigError(at(key) + expected(what, got).message);
  };
  for (const key of section.entries.keys()) {
    if (!KEYS[section.name]!.includes(key)) fail(key, `one of ${KEYS[section.name]!.join(", ")}`, key);
  }
  const credentials = (): HttpCredentials | undefined => {
    const username = get("username"), password = get("password");
    if (username === undefined && password === undefined) return undefined;
    if (username === undefined || password === undefined) {
      fail(username === undefined ? "password" : "username", "username= and password= together", username === undefined ? "password= alone" : "username= alone");
    }
    if (password!.startsWith("{SHA}")) fail("password", "a plain password (corral does not check {SHA} hashes)", "{SHA}…");
    return { username: username!, password: password! };
  };
  return { get, fail, credentials, origin: where(section.file, section.line).slice(0, -2) };
}

function parseUnix(section: IniSection, passwd: () => string, env: Env): UnixHttpServer {
  const r = reader(section, env);
  const file = r.get("file");
  if (!file) r.fail("file", "a socket path", file ?? "");
  const chmod = r.get("chmod");
  if (chmod !== undefined && !/^0?[0-7]{1,4}$/.test(chmod)) r.fail("chmod", "an octal mode like 0700", chmod);
  const chown = r.get("chown");
  let owner: UnixHttpServer["owner"];
  if (chown) {
    const [user, group] = chown.split(":");
    try {
      const account = lookupUser(user!, passwd());
      owner = { uid: account.uid, gid: group === undefined ? account.gid : /^\d+$/.test(group) ? Number(group) : r.fail("chown", "USER or USER:GID (a numeric group)", chown) };
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      r.fail("chown", "a user listed in /etc/passwd", chown);
    }
  }
  return { file: file!, mode: chmod === undefined ? DEFAULT_UNIX_MODE : parseInt(chmod, 8), owner, credentials: r.credentials(), origin: r.origin };
}

function parseInet(section: IniSection, env: Env): InetHttpServer {
  const r = reader(section, env);
  const port = r.get("port");
  const m = port === undefined ? null : /^(?:(.*):)?(\d{1,5})$/.exec(port);
  if (!m || Number(m[2]) > 65535) r.fail("port", "HOST:PORT or PORT like 127.0.0.1:9001", port ?? "");
  // supervisord's inet_address: no host, "" or "*" is every interface.
  const given = (m![1] ?? "").replace(/^\[|\]$/g, "");
  const host = given === "" || given === "*" ? "0.0.0.0" : given;
  const credentials = r.credentials();
  return { host, port: Number(m![2]), credentials, origin: r.origin, exposed: !credentials && !LOOPBACK.has(host) };
}

/**
 * Reads the control-API sections from the sections readIni returned (all files, in order).
 * Values expand %(ENV_X)s and %(here)s (the section's directory) as supervisord's do.
 * Throws ConfigError naming file:line for bad values; `passwd` is /etc/passwd's text (for chown=).
 * @example httpServerConfig(readIni("[unix_http_server]\nfile=/run/supervisor.sock\n", "s.conf"), () => "").unix?.file // "/run/supervisor.sock"
 */
export function httpServerConfig(sections: readonly IniSection[], passwd: () => string, env: Env = {}): HttpServerConfig {
  const out: HttpServerConfig = { rpcInterface: false };
  for (const section of sections) {
    if (section.name === "unix_http_server") out.unix = parseUnix(section, passwd, env);
    else if (section.name === "inet_http_server") out.inet = parseInet(section, env);
    else if (section.name === "rpcinterface:supervisor") out.rpcInterface = true;
    else if (section.name === "supervisorctl") {
      const r = reader(section, env);
      const serverurl = r.get("serverurl");
      if (serverurl !== undefined && !/^(unix:\/\/\/|http:\/\/)/.test(serverurl)) r.fail("serverurl", "unix:///PATH or http://HOST:PORT", serverurl);
      out.client = { serverurl, credentials: r.credentials() };
    }
  }
  return out;
}
