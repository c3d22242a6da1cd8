// `corral --config FILE --check`'s listing read back into the oracle's view (config-view.ts),
// so the built bundle can be compared with supervisord's parser field by field.
import { SIGNALS } from "../../src/os/signals.ts";
import type { View } from "./config-view.ts";

type Row = Record<string, unknown>;
const HEADLESS = new Set(["supervisord", "unix_http_server", "inet_http_server"]);

/** A --check value: a JSON string when quoted, else the bare word. */
const value = (text: string): string => (text.startsWith('"') ? JSON.parse(text) as string : text);

/** A shell line as check.ts's shellLine writes it (bare words, '…' quoting, \' between) back into words. */
export function shellWords(line: string): string[] {
  return (line.match(/(?:'[^']*'|\\.|[^\s'\\])+/g) ?? []).map((w) => w.replace(/'([^']*)'|\\(.)/g, "$1$2"));
}

const dash = <T>(v: string, f: (s: string) => T): T | null => (v === "-" ? null : f(v));
const list = (v: string) => (v === "" ? [] : v.split(","));
const log = (v: string | undefined) => (v === undefined || v === "NONE" ? null : v === "/dev/stdout" ? "fd1" : v === "/dev/stderr" ? "fd2" : v);

/** One process's fields in the oracle's shape. */
function processRow(name: string, f: Map<string, string>, env: Row): Row {
  const s = (k: string) => f.get(k)!;
  const redirect = s("redirect_stderr") === "true";
  const row: Row = {
    name, group: s("group"), argv: f.has("spawnerr") ? { spawnerr: s("spawnerr") } : shellWords(s("command")),
    priority: Number(s("priority")), autostart: s("autostart") === "true", autorestart: s("autorestart"),
    startsecs: Number(s("startsecs")), startretries: Number(s("startretries")),
    stopsignal: SIGNALS[s("stopsignal")] ?? Number(s("stopsignal")), stopwaitsecs: Number(s("stopwaitsecs")),
    stopasgroup: s("stopasgroup") === "true", killasgroup: s("killasgroup") === "true", exitcodes: list(s("exitcodes")).map(Number),
    umask: dash(s("umask"), (v) => parseInt(v, 8)), directory: dash(s("directory"), (v) => v), uid: dash(s("uid"), Number), environment: env,
    redirect_stderr: redirect, stdout: log(f.get("stdout_logfile")), stderr: redirect ? null : log(f.get("stderr_logfile")),
    stdout_events: s("stdout_events_enabled") === "true", stderr_events: f.get("stderr_events_enabled") === "true",
    serverurl: s("serverurl") === "AUTO" ? null : s("serverurl"),
  };
  for (const channel of ["stdout", "stderr"]) {
    if (f.has(`${channel}_logfile_maxbytes`)) {
      row[`${channel}_maxbytes`] = Number(f.get(`${channel}_logfile_maxbytes`));
      row[`${channel}_backups`] = Number(f.get(`${channel}_logfile_backups`));
    }
  }
  return row;
}

/**
 * The view of one --check run: its exit code, stdout and stderr.
 * @example checkView(2, "", "a.conf:3: [program:x] …") // { error: "a.conf:3: [program:x] …" }
 */
export function checkView(code: number | null, stdout: string, stderr: string): View {
  if (code !== 0) return { error: stderr.trim() || `exit ${code}` };
  const fields = new Map<string, Map<string, string>>();
  const envs = new Map<string, Row>();
  for (const line of stdout.split("\n")) {
    if (!line || line.startsWith("warning: ") || line === "no programs yet") continue;
    const first = line.indexOf(" ");
    const kind = line.slice(0, first);
    const named = !HEADLESS.has(kind);
    const second = named ? line.indexOf(" ", first + 1) : first;
    const head = line.slice(0, second);
    const eq = line.indexOf("=", second);
    const key = line.slice(second + 1, eq), v = value(line.slice(eq + 1));
    if (key.startsWith("environment.")) {
      if (!envs.has(head)) envs.set(head, {});
      envs.get(head)![key.slice("environment.".length)] = v;
    } else {
      if (!fields.has(head)) fields.set(head, new Map());
      fields.get(head)!.set(key, v);
    }
  }
  const processes: Row[] = [], groups: Row[] = [], http: unknown[] = [];
  let server: Row = { pidfile: "supervisord.pid", environment: envs.get("supervisord") ?? {} };
  for (const [head, f] of fields) {
    const [kind, name = ""] = head.split(" ");
    const members = () => list(f.get("processes")!).sort();
    if (kind === "process") processes.push(processRow(name, f, envs.get(head) ?? {}));
    else if (kind === "group") groups.push({ kind: "group", name, priority: Number(f.get("priority")), members: members() });
    else if (kind === "fcgi-program") {
      groups.push({ kind: "fcgi", name, priority: Number(f.get("priority")), members: members(), socket: f.get("socket"),
        backlog: dash(f.get("socket_backlog")!, Number), mode: dash(f.get("socket_mode")!, (v) => parseInt(v, 8)),
        owner: dash(f.get("socket_owner")!, (v) => v.split(":").map(Number)) });
    } else if (kind === "eventlistener") {
      groups.push({ kind: "pool", name, priority: Number(f.get("priority")), members: members(), events: list(f.get("events")!).sort(),
        buffer_size: Number(f.get("buffer_size")), result_handler: f.get("result_handler") });
    } else if (kind === "supervisord") server = { ...server, pidfile: dash(f.get("pidfile")!, (v) => v) ?? "supervisord.pid" };
    const auth = f.has("username") ? [f.get("username"), f.get("password")] : null;
    if (kind === "unix_http_server") {
      http.push(["unix", f.get("file"), parseInt(f.get("chmod")!, 8), dash(f.get("chown")!, (v) => v.split(":").map(Number)) ?? [-1, -1], auth]);
    } else if (kind === "inet_http_server") {
      const port = f.get("port")!, colon = port.lastIndexOf(":");
      http.push(["inet", port.slice(0, colon), Number(port.slice(colon + 1)), auth]);
    }
  }
  const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);
  return { processes: processes.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1)), groups: groups.sort(byJson), server: { ...server, http: http.sort(byJson) } };
}

/**
 * supervisord's view with what --check never prints made alike: passwords are "(set)".
 * @example maskPasswords(view).server.http[0][4] // ["user", "(set)"]
 */
export function maskPasswords(v: View): View {
  if ("error" in v) return v;
  const http = (v.server.http as unknown[][]).map((h) => h.map((x, i) => (i === h.length - 1 && Array.isArray(x) ? [x[0], "(set)"] : x)));
  return { ...v, server: { ...v.server, http } };
}
