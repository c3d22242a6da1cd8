// [unix_http_server], [inet_http_server] and [supervisorctl]: where corral serves its
// control API and where `corral ctl` finds it. Takes the parsed INI sections (readIni's).
import { dirname, normalize, resolve } from "node:path";
import { BadValue, ConfigError, expected, where } from "./errors.ts";
import { envNames, expand, type Env, type Names } from "./expand.ts";
import { userGroup } from "./fcgi.ts";
import { ignoredKey } from "./keys.ts";
import { expandUser } from "./program.ts";
import * as v from "./values.ts";
import type { IniSection } from "./ini.ts";

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
  /** Where to listen: the host written, 0.0.0.0 for every interface. */
  host: string;
  /** The host as supervisord keeps it: lower-cased, "" for every interface (no host, "" or "*"). */
  address: string;
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
/** The keys corral reads in each section; others are warned about and ignored, as supervisord ignores them. */
const KEYS: Readonly<Record<string, readonly string[]>> = {
  unix_http_server: ["file", "chmod", "chown", "username", "password"],
  inet_http_server: ["port", "username", "password"],
  supervisorctl: ["serverurl", "username", "password", "prompt", "history_file"],
};

/** What reading these sections needs from outside. */
export interface HttpContext {
  env?: Env;
  /** /etc/passwd and /etc/group text, for chown=. */
  passwd?: () => string;
  group?: () => string;
  /** Names every value may use (ENV_ of corral's environment and of [supervisord] environment=). */
  names?: Names;
  warn?: (message: string) => void;
}

function reader(section: IniSection, context: HttpContext) {
  const at = (key: string) => `${where(section.file, section.entries.get(key)?.line ?? section.line)}[${section.name}] ${key}: `;
  const names = context.names ?? envNames(context.env ?? {});
  const get = (key: string, extra: Names = {}) => {
    const raw = section.entries.get(key)?.value;
    try {
      return raw === undefined ? undefined : expand(raw, { ...names, ...extra });
    } catch (e) {
      if (e instanceof BadValue) throw new ConfigError(at(key) + e.message);
      throw e;
    }
  };
  const fail = (key: string, what: string, got: string): never => {
    throw new ConfigError(at(key) + expected(what, got).message);
  };
  for (const [key, entry] of section.entries) {
    if (!entry.inherited && !KEYS[section.name]!.includes(key)) context.warn?.(ignoredKey(where(entry.file ?? section.file, entry.line), section.name, key));
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

function parseUnix(section: IniSection, context: HttpContext): UnixHttpServer {
  const r = reader(section, context);
  const given = r.get("file", { here: dirname(resolve(section.file)) });
  if (given === undefined) r.fail("file", "a socket path", "");
  const home = context.env?.["HOME"];
  const file = normalize(resolve(expandUser(given!.trim(), home, context.passwd ?? (() => "")))).replace(/(.)\/$/, "$1");
  const chmod = r.get("chmod");
  let mode = DEFAULT_UNIX_MODE;
  if (chmod !== undefined) {
    try {
      mode = v.octal(chmod);
    } catch {
      r.fail("chmod", "an octal mode like 0700", chmod);
    }
  }
  const chown = r.get("chown");
  let owner: UnixHttpServer["owner"];
  if (chown !== undefined) {
    try {
      const [uid, gid] = userGroup(chown, context.passwd?.() ?? "", context.group?.() ?? "");
      owner = { uid, gid };
    } catch (e) {
      if (!(e instanceof BadValue)) throw e;
      r.fail("chown", "USER or USER:GROUP listed in /etc/passwd and /etc/group", chown);
    }
  }
  return { file, mode, owner, credentials: r.credentials(), origin: r.origin };
}

function parseInet(section: IniSection, context: HttpContext): InetHttpServer {
  const r = reader(section, context);
  const port = r.get("port");
  if (port === undefined) r.fail("port", "HOST:PORT or PORT like 127.0.0.1:9001", "");
  // supervisord's inet_address: the part after the last ':' is the port; no host, "" or "*" is every interface.
  const colon = port!.lastIndexOf(":");
  let number = 0;
  try {
    number = v.portNumber(colon < 0 ? port! : port!.slice(colon + 1));
  } catch {
    r.fail("port", "HOST:PORT or PORT like 127.0.0.1:9001", port!);
  }
  const written = colon < 0 ? "" : port!.slice(0, colon).toLowerCase();
  const address = written === "*" ? "" : written;
  const host = address === "" ? "0.0.0.0" : address.replace(/^\[|\]$/g, "");
  const credentials = r.credentials();
  return { host, address, port: number, credentials, origin: r.origin, exposed: !credentials && !LOOPBACK.has(host) };
}

/**
 * Reads the control-API sections from the sections readIni returned (all files, in order), as
 * supervisord does: values expand %(ENV_X)s (and file= %(here)s); chown= takes user and group
 * names or ids; keys it does not read are warned about. supervisord itself never reads
 * [supervisorctl] (supervisorctl does): a value there that corral ctl cannot use is warned about.
 * Throws ConfigError naming file:line for bad values.
 * @example httpServerConfig(readIni("[unix_http_server]\nfile=/run/supervisor.sock\n", "s.conf"), () => "").unix?.file // "/run/supervisor.sock"
 */
export function httpServerConfig(sections: readonly IniSection[], passwd: () => string = () => "", env: Env = {},
  more: Omit<HttpContext, "env" | "passwd"> = {}): HttpServerConfig {
  const context: HttpContext = { ...more, env, passwd };
  const out: HttpServerConfig = { rpcInterface: false };
  for (const section of sections) {
    if (section.name === "unix_http_server") out.unix = parseUnix(section, context);
    else if (section.name === "inet_http_server") out.inet = parseInet(section, context);
    else if (section.name === "rpcinterface:supervisor") out.rpcInterface = true;
    else if (section.name === "supervisorctl") out.client = clientSettings(section, context);
  }
  return out;
}

/** [supervisorctl] for corral ctl; what it cannot use is a warning, since supervisord accepts anything there. */
function clientSettings(section: IniSection, context: HttpContext): HttpServerConfig["client"] {
  try {
    const r = reader(section, context);
    const serverurl = r.get("serverurl");
    if (serverurl !== undefined && !/^(unix:\/\/\/|http:\/\/)/.test(serverurl)) r.fail("serverurl", "unix:///PATH or http://HOST:PORT", serverurl);
    return { serverurl, credentials: r.credentials() };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    context.warn?.(`${e.message} (ignored: supervisord does not read [supervisorctl]; corral ctl will not use this section)`);
    return undefined;
  }
}
