// Which section names corral reads, and what it says about the supervisord-only ones.

/** What a section header means to corral. */
export type SectionKind =
  | { kind: "program"; program: string }
  | { kind: "group"; group: string }
  | { kind: "listener"; pool: string }
  | { kind: "server" }
  | { kind: "include" }
  | { kind: "ignored"; instead: string };

const XMLRPC = "corral serves no XML-RPC; stop and start programs with signals or the container-run socket (--job-name)";

/** supervisord sections accepted with a warning saying what corral does instead. */
const IGNORED: Readonly<Record<string, string>> = {
  unix_http_server: XMLRPC,
  inet_http_server: XMLRPC,
  supervisorctl: "there is no supervisorctl; use `corral ctl` against the container-run socket",
};

/** Prefixed supervisord sections (`[rpcinterface:x]` …), same treatment. */
const IGNORED_PREFIXES: Readonly<Record<string, string>> = {
  "rpcinterface:": XMLRPC,
  "ctlplugin:": "there is no supervisorctl to extend",
  "fcgi-program:": "not started: corral opens no FastCGI sockets; run the server as a [program:x] that listens itself",
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
  if (name === "supervisord") return { kind: "server" };
  if (name === "include") return { kind: "include" };
  const exact = IGNORED[name];
  if (exact) return { kind: "ignored", instead: exact };
  const prefix = Object.keys(IGNORED_PREFIXES).find((p) => name.startsWith(p));
  return prefix ? { kind: "ignored", instead: IGNORED_PREFIXES[prefix]! } : undefined;
}
