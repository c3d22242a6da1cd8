// corral's loaded config in the shape test/parity/supervisord-config-view.py prints supervisord's,
// the Python side run on a batch of files, and the comparison of the two.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Config, LogTarget, ProgramSpec } from "../../src/config/types.ts";

/** One config as either side sees it: an error, or its processes, groups and server settings. */
export type View = { error: string } | { processes: Record<string, unknown>[]; groups: Record<string, unknown>[]; server: Record<string, unknown> };

const PYTHON = "/usr/bin/python3";
const ORACLE = join(process.cwd(), "test/parity/supervisord-config-view.py");

/** Where output goes, as the Python side words it. */
const log = (t: LogTarget) => (t.kind === "null" ? null : t.kind === "file" ? t.path : `fd${t.fd}`);

function processView(p: ProgramSpec): Record<string, unknown> {
  const out = log(p.stdout), err = p.redirectStderr ? null : log(p.stderr);
  const row: Record<string, unknown> = {
    name: p.name, group: p.group, argv: p.spawnError ? { spawnerr: p.spawnError } : p.command,
    priority: p.priority, autostart: p.autostart, autorestart: p.autorestart, startsecs: p.startsecs, startretries: p.startretries,
    stopsignal: p.stopsignal, stopwaitsecs: p.stopwaitsecs, stopasgroup: p.stopasgroup ?? false, killasgroup: p.killasgroup ?? false,
    exitcodes: p.exitcodes, umask: p.umask ?? null, directory: p.directory ?? null, uid: p.user?.uid ?? null, environment: p.environment,
    redirect_stderr: p.redirectStderr, stdout: out, stderr: err, stdout_events: p.stdoutEvents ?? false, stderr_events: p.stderrEvents ?? false,
    serverurl: p.serverUrl ?? null,
  };
  for (const [channel, target] of [["stdout", p.stdout], ["stderr", p.redirectStderr ? undefined : p.stderr]] as const) {
    if (target?.kind === "file") {
      row[`${channel}_maxbytes`] = target.maxBytes;
      row[`${channel}_backups`] = target.backups;
    }
  }
  return row;
}

const byJson = (a: unknown, b: unknown) => {
  const x = JSON.stringify(sortKeys(a)), y = JSON.stringify(sortKeys(b));
  return x < y ? -1 : x > y ? 1 : 0;
};

/** The same value with object keys sorted, as Python's json.dumps(sort_keys=True) prints it. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * corral's Config in the oracle's shape.
 * @example corralView(loadConfig([file], GEN_ENV, options)).processes[0].name
 */
export function corralView(c: Config): View {
  const all = [...c.programs, ...c.listeners.flatMap((l) => l.processes)];
  const processes = all.map(processView).sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
  const groups: Record<string, unknown>[] = [];
  const explicit = new Map(c.groups.map((g) => [g.name, g]));
  const names = [...new Set(c.programs.map((p) => p.group))];
  for (const name of names) {
    const members = c.programs.filter((p) => p.group === name);
    const first = members[0]!;
    const row: Record<string, unknown> = { kind: first.socket ? "fcgi" : "group", name, priority: explicit.get(name)?.priority ?? first.groupPriority ?? first.priority,
      members: members.map((p) => p.name).sort() };
    if (first.socket) Object.assign(row, { socket: first.socket.url, backlog: first.socket.backlog ?? null, mode: first.socket.mode ?? null, owner: first.socket.owner ?? null });
    groups.push(row);
  }
  for (const g of c.groups) if (!names.includes(g.name)) groups.push({ kind: "group", name: g.name, priority: g.priority, members: [] });
  for (const l of c.listeners) {
    groups.push({ kind: "pool", name: l.name, priority: l.priority, members: l.processes.map((p) => p.name).sort(), events: [...l.events].sort(),
      buffer_size: l.bufferSize, result_handler: l.resultHandler });
  }
  const http: unknown[] = [];
  const auth = (cr?: { username: string; password: string }) => (cr ? [cr.username, cr.password] : null);
  if (c.http.unix) http.push(["unix", c.http.unix.file, c.http.unix.mode, c.http.unix.owner ? [c.http.unix.owner.uid, c.http.unix.owner.gid] : [-1, -1], auth(c.http.unix.credentials)]);
  if (c.http.inet) http.push(["inet", c.http.inet.address, c.http.inet.port, auth(c.http.inet.credentials)]);
  return {
    processes,
    groups: groups.sort(byJson),
    server: { pidfile: c.pidfile ?? "supervisord.pid", environment: c.environment, http: http.sort(byJson) },
  };
}

/** Whether the oracle can run here (Debian's python3-supervisor installed). */
export function oracleAvailable(): boolean {
  return existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import supervisor.options"]).status === 0;
}

/**
 * supervisord's view of each main file, from one Python process.
 * @example supervisordViews(["/tmp/x/supervisord.conf"], env, passwdFile, groupFile)[0]
 */
export function supervisordViews(mains: string[], env: Record<string, string>, passwdFile: string, groupFile: string): View[] {
  const python = spawnSync(PYTHON, [ORACLE, passwdFile, groupFile, ...mains], { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (python.status !== 0) throw new Error(`supervisord-config-view.py failed: ${python.stderr}`);
  const lines = python.stdout.trim().split("\n");
  if (lines.length !== mains.length) throw new Error(`supervisord-config-view.py: expected ${mains.length} lines, got ${lines.length}`);
  return lines.map((l) => JSON.parse(l) as View);
}

/**
 * The differences between two views, one line each ("" when none): the verdict, or the fields that differ.
 * @example differences(ours, theirs) // ["web: stopsignal: corral 15, supervisord 2"]
 */
export function differences(ours: View, theirs: View): string[] {
  if ("error" in theirs || "error" in ours) {
    if ("error" in theirs && "error" in ours) return [];
    return "error" in theirs ? [`verdict: supervisord refuses (${theirs.error}), corral accepts`] : [`verdict: corral refuses (${(ours as { error: string }).error}), supervisord accepts`];
  }
  const out: string[] = [];
  const rows = (v: typeof ours, key: "processes" | "groups") => new Map(v[key].map((r) => [`${r.kind ?? "process"} ${r.name}`, sortKeys(r) as Record<string, unknown>]));
  for (const key of ["processes", "groups"] as const) {
    const a = rows(ours, key), b = rows(theirs, key);
    for (const [name, row] of a) {
      const other = b.get(name);
      if (!other) { out.push(`${name}: corral only`); continue; }
      for (const field of new Set([...Object.keys(row), ...Object.keys(other)])) {
        const x = JSON.stringify(row[field]), y = JSON.stringify(other[field]);
        if (x !== y) out.push(`${name}: ${field}: corral ${x}, supervisord ${y}`);
      }
    }
    for (const name of b.keys()) if (!a.has(name)) out.push(`${name}: supervisord only`);
  }
  const sa = sortKeys(ours.server) as Record<string, unknown>, sb = sortKeys(theirs.server) as Record<string, unknown>;
  for (const field of Object.keys(sb)) {
    const x = JSON.stringify(sa[field]), y = JSON.stringify(sb[field]);
    if (x !== y) out.push(`[supervisord] ${field}: corral ${x}, supervisord ${y}`);
  }
  return out;
}
