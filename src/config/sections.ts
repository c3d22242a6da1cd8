// Which section names corral reads, and what it says about the supervisord-only ones.

/** What a section header means to corral. */
export type SectionKind =
  | { kind: "program"; program: string }
  | { kind: "include" }
  | { kind: "ignored"; instead: string };

const XMLRPC = "corral serves no XML-RPC; stop and start programs with signals or the container-run socket (--job-name)";

/** supervisord sections accepted with a warning saying what corral does instead. */
const IGNORED: Readonly<Record<string, string>> = {
  supervisord: "corral runs in the foreground as PID 1; its own flags and environment replace these settings",
  unix_http_server: XMLRPC,
  inet_http_server: XMLRPC,
  supervisorctl: "there is no supervisorctl; use `corral ctl` against the container-run socket",
};

/** Prefixed supervisord sections (`[eventlistener:x]` …), same treatment. */
const IGNORED_PREFIXES: Readonly<Record<string, string>> = {
  "rpcinterface:": XMLRPC,
  "eventlistener:": "the listener is not started; use critical=true to end the container when a program dies",
  "group:": "each [program:x] is its own group; use depends_on= to order programs",
  "fcgi-program:": "not started: corral opens no FastCGI sockets; run the server as a [program:x] that listens itself",
};

/**
 * Classifies a section name; `undefined` for names neither corral nor supervisord know.
 * @example sectionKind("program:web") // { kind: "program", program: "web" }
 */
export function sectionKind(name: string): SectionKind | undefined {
  if (name.startsWith("program:")) return { kind: "program", program: name.slice("program:".length) };
  if (name === "include") return { kind: "include" };
  const exact = IGNORED[name];
  if (exact) return { kind: "ignored", instead: exact };
  const prefix = Object.keys(IGNORED_PREFIXES).find((p) => name.startsWith(p));
  return prefix ? { kind: "ignored", instead: IGNORED_PREFIXES[prefix]! } : undefined;
}
