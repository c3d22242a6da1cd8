// Every supervisord config in test/fixtures/wild-configs (taken verbatim from public container
// images, see SOURCES.tsv) through Debian's supervisord parser and corral's loader side by side:
// for every config supervisord accepts, corral accepts it with the same processes.
//
// The world both parsers see: one temp directory per set, the main file's [include] pointed at
// the set's conf.d/ (its other lines untouched), the users the configs name (a stand-in
// /etc/passwd, patched into Python's pwd), plausible values for every %(ENV_X)s, the Python
// modules a result_handler names, and every directory a log or pid path names (supervisord's
// existence checks on those are stubbed, as if the image had created them).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../src/config/load.ts";
import type { Config, LogTarget } from "../../src/config/types.ts";

const WILD = "test/fixtures/wild-configs";
const PASSWD = [
  "root:x:0:0:root:/root:/bin/sh", "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin", "nginx:x:101:101::/var/lib/nginx:/sbin/nologin",
  "paperless:x:1000:1000::/usr/src/paperless:/bin/sh", "ds:x:105:107::/var/www/onlyoffice:/usr/sbin/nologin",
  "pythonapp:x:1001:1001::/home/pythonapp:/bin/sh", "seluser:x:1200:1201::/home/seluser:/bin/bash",
].join("\n") + "\n";
/** Plausible values for every %(ENV_X)s the configs use. */
const ENV: Record<string, string> = {
  HOME: "/root", PATH: "/usr/local/bin:/usr/bin:/bin",
  AIO_LOG_LEVEL: "info", CELERY_SINGLE_OPTIONS: "", DISPLAY_HEIGHT: "1080", DISPLAY_WIDTH: "1920",
  GRANIAN_APPLICATION: "weblate.wsgi:application", GRANIAN_ARGS: "", GRANIAN_INTERFACE: "wsgi", GRANIAN_MODE_ARGS: "--blocking-threads 4",
  GRANIAN_SOCKET: "/run/granian.sock", JANUS_LOG_LEVEL: "4", SEL_USER: "seluser", SE_ENABLE_BROWSER_LEFTOVERS_CLEANUP: "false",
  SE_SUPERVISORD_CHILD_LOG_DIR: "/tmp", SE_SUPERVISORD_LOG_FILE: "/tmp/supervisord.log", SE_SUPERVISORD_LOG_LEVEL: "info",
  SE_SUPERVISORD_PID_FILE: "/tmp/supervisord.pid", SE_VIDEO_INTERNAL_UPLOAD: "false", SUPERVISORD_STDOUT: "/dev/stdout", WEB_WORKERS: "4",
};

// One JSON line per main file: supervisord's processes, groups and pools, or its error.
const SUPERVISORD = `
import json, pwd, shlex, sys, types
PASSWD = [l.split(":") for l in open(sys.argv[1]).read().splitlines()]
def rec(f): return pwd.struct_passwd((f[0], f[1], int(f[2]), int(f[3]), f[4], f[5], f[6]))
def getpwnam(n):
    for f in PASSWD:
        if f[0] == n: return rec(f)
    raise KeyError(n)
def getpwuid(u):
    for f in PASSWD:
        if int(f[2]) == u: return rec(f)
    raise KeyError(u)
pwd.getpwnam, pwd.getpwuid = getpwnam, getpwuid
stdout_mod = types.ModuleType("supervisor_stdout"); stdout_mod.event_handler = lambda event, response: None
sys.modules["supervisor_stdout"] = stdout_mod
from supervisor import datatypes, options, events
for m in (datatypes, options):
    m.existing_dirpath = lambda v: v
    m.existing_directory = lambda v: v
from supervisor.options import ServerOptions
restart = {"RestartUnconditionally": "true", "RestartWhenExitUnexpected": "unexpected"}
inherit = {"/dev/fd/1": "fd1", "/dev/stdout": "fd1", "/dev/fd/2": "fd2", "/dev/stderr": "fd2"}
def log(v, fd, syslog):
    if v is None: return "fd%d" % fd if syslog else None  # syslog: corral inherits its own stdout/stderr
    return inherit.get(v, v) if isinstance(v, str) else "fd%d" % fd  # AUTO: the same
for main in sys.argv[2:]:
    o = ServerOptions(); o.configfile = main
    try:
        o.process_config(do_usage=False)
    except (ValueError, OSError) as e:
        print(json.dumps({"error": str(e)})); continue
    procs, groups, pools = [], [], []
    for g in o.process_group_configs:
        names = sorted(p.name for p in g.process_configs)
        if hasattr(g, "pool_events"):
            pools.append([g.name, g.priority, sorted(events.getEventNameByType(t) for t in g.pool_events), g.buffer_size, names])
        else:
            groups.append([g.name, g.priority, names])
        for p in g.process_configs:
            procs.append([g.name, p.name, shlex.split(p.command),
                p.uid, p.autostart, restart.get(getattr(p.autorestart, "__name__", ""), "false"), p.priority, p.stopsignal,
                log(p.stdout_logfile, 1, p.stdout_syslog), None if p.redirect_stderr else log(p.stderr_logfile, 2, p.stderr_syslog), p.environment or {}])
    print(json.dumps({"processes": sorted(procs), "groups": sorted(groups), "pools": sorted(pools), "pidfile": o.pidfile}))
`;

/** One config as loaded: a main file and the fragments its [include] reaches. */
interface ConfigSet {
  label: string;
  main: string;
  fragments: string[];
}

const hasSection = (text: string, name: RegExp) => text.split("\n").some((l) => name.test(l.trim()));

/**
 * SOURCES.tsv's files grouped by repository: a file with [supervisord] is a main file; the
 * repository's other files are the conf.d of each main that has an [include] (with a stand-in
 * main when the repository ships none, as with Debian's stock supervisord.conf). Each main with
 * an [include] is also tried with an empty conf.d (a base image before programs are added), and
 * each fragment of a repository that has several also alone.
 */
function configSets(): ConfigSet[] {
  const rows = readFileSync(join(WILD, "SOURCES.tsv"), "utf8").trim().split("\n").slice(1).map((l) => l.split("\t"));
  const byRepo = new Map<string, string[]>();
  for (const [file, repo] of rows) byRepo.set(repo!, [...(byRepo.get(repo!) ?? []), file!]);
  const sets: ConfigSet[] = [];
  for (const [repo, files] of byRepo) {
    const text = (f: string) => readFileSync(join(WILD, f), "utf8");
    const mains = files.filter((f) => hasSection(text(f), /^\[supervisord\]/));
    const fragments = files.filter((f) => !mains.includes(f));
    const includers = mains.filter((f) => hasSection(text(f), /^\[include\]/));
    for (const main of mains) {
      if (!includers.includes(main)) sets.push({ label: main, main, fragments: [] });
      else {
        sets.push({ label: `${main} + ${fragments.length} conf.d files`, main, fragments });
        if (fragments.length) sets.push({ label: `${main} with an empty conf.d`, main, fragments: [] });
      }
    }
    if (includers.length === 0 && fragments.length) sets.push({ label: `${repo} (${fragments.join(", ")}) under a stock supervisord.conf`, main: "", fragments });
    // Each fragment on its own too (an image may ship any one of them).
    if (fragments.length > 1) for (const f of fragments) sets.push({ label: `${f} alone under a stock supervisord.conf`, main: "", fragments: [f] });
  }
  return sets;
}

/** The main file's [include] files= pointed at conf.d/*.conf; every other line as written. */
function pointIncludeAtConfD(text: string): string {
  let inInclude = false;
  return text.split("\n").map((line) => {
    const header = /^\s*\[(.+)\]/.exec(line);
    if (header) inInclude = header[1] === "include";
    return inInclude && /^\s*files\s*[=:]/.test(line) ? "files = conf.d/*.conf" : line;
  }).join("\n");
}

const STOCK_MAIN = "[supervisord]\nnodaemon=true\n\n[include]\nfiles = conf.d/*.conf\n";

/** A LogTarget as the Python side prints it: a path, null, or fd1/fd2 for inherit. */
const log = (t: LogTarget) => (t.kind === "null" ? null : t.kind === "file" ? t.path : `fd${t.fd}`);
/** A process name without its `group:` (supervisord's ProcessConfig.name). */
const bare = (name: string, group: string) => (name.startsWith(`${group}:`) ? name.slice(group.length + 1) : name);

/** corral's config in the Python side's shape. */
function corralView(c: Config) {
  const all = [...c.programs, ...c.listeners.flatMap((l) => l.processes)];
  const processes = all.map((p) => [p.group, bare(p.name, p.group), p.command, p.user?.uid ?? null, p.autostart, p.autorestart, p.priority,
    p.stopsignal, log(p.stdout), p.redirectStderr ? null : log(p.stderr), p.environment]).sort(byJson);
  const groupNames = [...new Set(c.programs.map((p) => p.group))];
  const groups = groupNames.map((g) => {
    const members = c.programs.filter((p) => p.group === g);
    return [g, members[0]!.groupPriority ?? members[0]!.priority, members.map((p) => bare(p.name, g)).sort()];
  });
  // An empty [group:x] has no process to carry it.
  for (const g of c.groups) if (!groupNames.includes(g.name)) groups.push([g.name, g.priority, []]);
  const pools = c.listeners.map((l) => [l.name, l.priority, [...l.events].sort(), l.bufferSize, l.processes.map((p) => bare(p.name, l.name)).sort()]);
  return { processes, groups: groups.sort(byJson), pools: pools.sort(byJson), pidfile: c.pidfile ?? "supervisord.pid" };
}
/** Python's sorted() order for these rows: by their JSON is enough to pair them up. */
const byJson = (a: unknown, b: unknown) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : JSON.stringify(a) > JSON.stringify(b) ? 1 : 0);
const sortedDeep = (v: { processes: unknown[]; groups: unknown[]; pools: unknown[]; pidfile: string }) =>
  ({ ...v, processes: [...v.processes].sort(byJson), groups: [...v.groups].sort(byJson), pools: [...v.pools].sort(byJson) });

/** The rows only one side has, labelled, for a short failure message. */
function differences(ours: Record<string, unknown>, theirs: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ["processes", "groups", "pools", "pidfile"]) {
    const a = ([] as unknown[]).concat(ours[key]).map((r) => JSON.stringify(r));
    const b = ([] as unknown[]).concat(theirs[key]).map((r) => JSON.stringify(r));
    for (const r of a) if (!b.includes(r)) out.push(`  ${key}, corral only:      ${r}`);
    for (const r of b) if (!a.includes(r)) out.push(`  ${key}, supervisord only: ${r}`);
  }
  return out;
}

test("over every wild config supervisord accepts, corral accepts it with the same processes, groups and listeners", () => {
  const root = mkdtempSync(join(tmpdir(), "corral-wild-"));
  try {
    const sets = configSets();
    const mains = sets.map((s, i) => {
      const dir = join(root, String(i));
      mkdirSync(join(dir, "conf.d"), { recursive: true });
      const main = join(dir, "supervisord.conf");
      writeFileSync(main, s.main ? pointIncludeAtConfD(readFileSync(join(WILD, s.main), "utf8")) : STOCK_MAIN);
      for (const f of s.fragments) writeFileSync(join(dir, "conf.d", f.replace(/\.[^.]+$/, ".conf")), readFileSync(join(WILD, f)));
      return main;
    });
    writeFileSync(join(root, "passwd"), PASSWD);
    const python = spawnSync("/usr/bin/python3", ["-c", SUPERVISORD, join(root, "passwd"), ...mains], { env: ENV, encoding: "utf8" });
    if (python.status !== 0 || !python.stdout) {
      console.log(`skipped: supervisord's Python package is not installed (${python.stderr.trim().split("\n").at(-1) ?? python.error})`);
      return;
    }
    const theirs = python.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.is(theirs.length, sets.length);
    let accepted = 0, matched = 0;
    const mismatches: string[] = [], bothReject: string[] = [], onlyCorralAccepts: string[] = [];
    sets.forEach((s, i) => {
      let ours: ReturnType<typeof corralView> | undefined;
      let error: string | undefined;
      try {
        ours = corralView(loadConfig([mains[i]!], ENV, { hostname: hostname(), passwd: () => PASSWD, group: () => "" }));
      } catch (e) {
        error = (e as Error).message.replaceAll(join(root, String(i)), "…");
      }
      const them = theirs[i];
      if (them.error) {
        if (error) bothReject.push(`${s.label}: supervisord: ${them.error.replaceAll(join(root, String(i)), "…")} / corral: ${error}`);
        else onlyCorralAccepts.push(`${s.label}: supervisord: ${them.error.replaceAll(join(root, String(i)), "…")}`);
        return;
      }
      accepted++;
      if (error) return void mismatches.push(`${s.label}: corral rejects it: ${error}`);
      const diff = differences(sortedDeep(ours!), sortedDeep(them));
      if (diff.length === 0) matched++;
      else mismatches.push(`${s.label}: differs\n${diff.join("\n")}`);
    });
    const files = readFileSync(join(WILD, "SOURCES.tsv"), "utf8").trim().split("\n").length - 1;
    console.log(`note: wild configs: ${files} files in ${sets.length} configs; supervisord accepts ${accepted}, corral matches ${matched}`);
    for (const m of bothReject) console.log(`note:   both reject ${m}`);
    for (const m of onlyCorralAccepts) console.log(`note:   only corral accepts ${m}`);
    assert.equal(mismatches, [], mismatches.join("\n"));
    assert.is(matched, accepted);
    assert.ok(accepted > 0);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test.run();
