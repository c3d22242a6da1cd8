// Which section names corral reads, and what it says about the supervisord-only ones.

/** What a section header means to corral. */
export type SectionKind =
  | { kind: "program"; program: string }
  | { kind: "group"; group: string }
  | { kind: "listener"; pool: string }
  | { kind: "fcgi"; program: string }
  /** [rpcinterface:x]: supervisord imports its factory; corral serves supervisord's own interface. */
  | { kind: "rpcinterface" }
  /** [DEFAULT]: configparser's fallbacks for every other section's keys. */
  | { kind: "defaults" }
  | { kind: "server" }
  | { kind: "include" }
  /** [unix_http_server], [inet_http_server], [supervisorctl], [rpcinterface:supervisor]: the control API. */
  | { kind: "control" }
  | { kind: "ignored"; instead: string };

/** The sections of supervisord's control API, which corral serves (config/http-server.ts reads them). */
const CONTROL = new Set(["unix_http_server", "inet_http_server", "supervisorctl"]);

/** supervisord sections accepted with a warning saying what corral does instead. */
const IGNORED: Readonly<Record<string, string>> = {};

/** Prefixed supervisord sections (`[ctlplugin:x]` …), same treatment. */
const IGNORED_PREFIXES: Readonly<Record<string, string>> = {
  "ctlplugin:": "read by supervisorctl itself; corral ctl loads no plugins",
};

/** What corral says about a section neither it nor supervisord reads. */
export const UNKNOWN_SECTION = "not a section supervisord or corral reads; ignored, as supervisord does";

/**
 * Classifies a section name; `undefined` for names neither corral nor supervisord know
 * (supervisord skips those; corral warns).
 * @example sectionKind("program:web") // { kind: "program", program: "web" }
 */
export function sectionKind(name: string): SectionKind | undefined {
  if (name.startsWith("program:")) return { kind: "program", program: name.slice("program:".length) };
  if (name.startsWith("group:")) return { kind: "group", group: name.slice("group:".length) };
  if (name.startsWith("eventlistener:")) return { kind: "listener", pool: name.slice("eventlistener:".length) };
  if (name.startsWith("fcgi-program:")) return { kind: "fcgi", program: name.slice("fcgi-program:".length) };
  if (name.startsWith("rpcinterface:")) return { kind: "rpcinterface" };
  if (name === "DEFAULT") return { kind: "defaults" };
  if (name === "supervisord") return { kind: "server" };
  if (name === "include") return { kind: "include" };
  if (CONTROL.has(name)) return { kind: "control" };
  const exact = IGNORED[name];
  if (exact) return { kind: "ignored", instead: exact };
  const prefix = Object.keys(IGNORED_PREFIXES).find((p) => name.startsWith(p));
  return prefix ? { kind: "ignored", instead: IGNORED_PREFIXES[prefix]! } : undefined;
}
