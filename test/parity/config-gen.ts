// A seeded generator of supervisord configs from supervisord's grammar (options.py, datatypes.py
// and the configparser dialect it sets up): every section type and key, each value drawn from
// realistic forms and edge forms (signs, underscores, suffixes, %-conversions, quotes, comments,
// continuation lines, [DEFAULT], duplicate keys and sections, an [include]d conf.d, …).
// The same (seed, index) always gives the same config.

/** One generated config: files relative to its directory, the main file among them. */
export interface GeneratedConfig {
  id: string;
  main: string;
  files: Record<string, string>;
}

/** mulberry32: small, fast, and the same on every runtime. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Realistic forms first (drawn more often), then EDGE, then edge forms. */
type Pool = readonly string[];
const EDGE = "\u0000edge";

const BOOL: Pool = ["true", "false", "true", "false", "yes", "no", "on", "off", "1", "0", "TRUE", "No", EDGE, "y", "", "truth", "%(ENV_GEN_YES)s"];
const INT: Pool = ["0", "1", "3", "10", "60", "-1", "+2", "1_0", "007", EDGE, "x", "1.5", "", "0x10", "%(ENV_GEN_NUM)s", "%(process_num)d", "1 0"];
const SIZE: Pool = ["50MB", "1MB", "0", "1024", "10KB", "1GB", "5mb", "1kb", EDGE, "-1", "1.5MB", "MB", "1TB", "10 MB", "1_0KB", "%(ENV_GEN_NUM)sKB", "1B"];
const SIGNALS: Pool = ["TERM", "INT", "QUIT", "HUP", "KILL", "USR1", "SIGTERM", "sigint", "term", "15", "9", "2", EDGE, "0", "1", "34", "64", "35",
  "32", "RTMIN", "SIGRTMAX", "RTMIN+1", "CLD", "IOT", "POLL", "PWR", "STKFLT", "_DFL", "SIG_IGN", "FOO", "-1", "SIGWINCH", "USR3"];
const OCTAL: Pool = ["022", "002", "0o22", "077", "0", "777", "7777", EDGE, "8", "0x12", "-1", "0_22", "", "0O7", "+22"];
const EXITCODES: Pool = ["0", "0,2", "0, 1 ,2", "1", EDGE, "", "256", "-1", "0,,1", "0,", "+1", "1_0", "255", "a"];
const AUTORESTART: Pool = ["unexpected", "true", "false", "UNEXPECTED", "yes", "off", EDGE, "maybe", "1"];
const USERS: Pool = ["root", "app", "0", "1000", "nobody", "65534", EDGE, "missing", "99999", "%(ENV_GEN_USER)s", " app"];
const LOGFILES: Pool = ["AUTO", "NONE", "/dev/stdout", "/dev/stderr", "/dev/fd/1", "/dev/fd/2", "/var/log/%(program_name)s.log",
  "/tmp/%(program_name)s-%(process_num)02d.log", EDGE, "auto", "none", "off", "OFF", "syslog", "~/logs/%(program_name)s.log", "~app/x.log",
  "", "relative.log", "/var/log/100%%.log", "/var/log/%%(program_name)s", "/var/log/%(nope)s.log", "/tmp/%(group_name)s.log"];
const COMMANDS: Pool = ["/bin/sleep 100", "nginx -g 'daemon off;'", "sh -c \"echo hi; sleep 5\"", "python3 -m http.server %(process_num)d",
  "/usr/bin/env FOO=%(ENV_GEN_A)s sleep 1", "%(program_name)s --serve", "sleep 1 ; a comment", "echo a;b", "echo ' #x'", "echo 50%%",
  EDGE, "echo 50%", "echo %(nope)s", "run %(process_num)x", "run %(process_num)02d", "run %(program_name)r", "run [%(program_name)10s]",
  "run [%(program_name)-8s]", "run %(numprocs)d", "run %(host_node_name)s", "run %(group_name)s", "%(here)s/run", "%(ENV_HOME)s/bin/x",
  "run %(process_num)#x", "run %(process_num)+d", "run %(program_name)d", "sh -c 'unclosed", "a \"b", "trail\\", "", "   ",
  "run %(process_num)5.1f", "run %(program_name).3s", "run %(process_num)o", "run %(ENV_GEN_PCT)s", "sh -c\n  'echo a'", "run %(process_num)X",
  "run %(process_num)i", "run %(program_name)a", "run %(process_num)e"];
const ENVIRONMENTS: Pool = ['A="1",B="2"', "A=1,B=2", "A=1, B=2", EDGE, "KEY=value with spaces", "A=x y", "A=1,B=2,", "A=", "A=,B=2",
  "A=%(ENV_GEN_A)s", "A=%(process_num)d", "A=1,B=%(ENV_A)s", "A=$HOME", "A=\"$HOME\"", "A='x,y'", "PATH=/usr/local/bin:/usr/bin",
  "A=a@b", "A=1\n  B=2", "A=1,\n  B=2", "A=1#c", "A=1;B=2", "A=ü", "A=€", "A=\"unclosed", "A==", "\"Q\"=1", "A=\"a\"b", "A=%%",
  "A=50%", "HOME=/srv,USER=app", "A='it''s'", "A=%(program_name)s_%(process_num)d", "LANG=C.UTF-8,LC_ALL=C.UTF-8"];
const NAMES: Pool = ["%(program_name)s", "%(program_name)s_%(process_num)02d", "%(program_name)s-%(process_num)d", "worker%(process_num)s",
  EDGE, "x y", "a:b", "a/b", "%(ENV_GEN_A)s", "%(program_name)s_%(process_num)x", "fixed", "%(group_name)s_%(process_num)d"];
const DIRS: Pool = ["/tmp", "/", "%(here)s", "~", EDGE, "", "/srv/%(program_name)s", "%(ENV_HOME)s"];
const SERVERURLS: Pool = ["AUTO", "auto", "unix:///tmp/x.sock", "http://127.0.0.1:9001", EDGE, "", "garbage"];
const EVENTS: Pool = ["PROCESS_STATE", "TICK_5", "PROCESS_STATE_EXITED,PROCESS_STATE_FATAL", "tick_60", "EVENT", "PROCESS_LOG",
  EDGE, "FOO", "", "TICK_5,", "PROCESS_STATE, TICK_60", "REMOTE_COMMUNICATION", "PROCESS_COMMUNICATION_STDOUT"];
const HANDLERS: Pool = ["supervisor.dispatchers:default_handler", "supervisor_stdout:event_handler", "supervisor_stdout:event_handler"];
const LOGLEVELS: Pool = ["info", "debug", "warn", "error", "critical", "trace", "blather", "INFO", "Debug", EDGE, "warning", "verbose", ""];
const SOCKETS: Pool = ["tcp://127.0.0.1:9000", "unix:///tmp/%(program_name)s.sock", "tcp://localhost:%(ENV_GEN_PORT)s", EDGE, "unix://relative.sock",
  "tcp://host", "tcp://0.0.0.0:0", "tcp://127.0.0.1:70000", "udp://x:1", "", "unix:///tmp/%(process_num)d.sock"];
const CHOWNS: Pool = ["root", "root:root", "nobody:nogroup", "0:0", "app:app", EDGE, "missing", "root:missinggroup", "1000", "app:1000", "root:"];
const PORTS: Pool = ["9001", "127.0.0.1:9001", "*:9001", ":9001", "localhost:9001", EDGE, "0", "65536", "abc", "LOCALHOST:9002", "9001:"];

const PROGRAM_KEYS: Record<string, Pool> = {
  process_name: NAMES, numprocs_start: ["0", "1", "10", "-2", "x"],
  priority: INT, autostart: BOOL, autorestart: AUTORESTART, startsecs: INT, startretries: INT, exitcodes: EXITCODES,
  stopsignal: SIGNALS, stopwaitsecs: INT, stopasgroup: BOOL, killasgroup: BOOL, user: USERS, redirect_stderr: BOOL,
  stdout_logfile: LOGFILES, stdout_logfile_maxbytes: SIZE, stdout_logfile_backups: INT, stdout_capture_maxbytes: SIZE,
  stdout_events_enabled: BOOL, stdout_syslog: BOOL, stderr_logfile: LOGFILES, stderr_logfile_maxbytes: SIZE,
  stderr_logfile_backups: INT, stderr_capture_maxbytes: SIZE, stderr_events_enabled: BOOL, stderr_syslog: BOOL,
  environment: ENVIRONMENTS, directory: DIRS, umask: OCTAL, serverurl: SERVERURLS, unknown_key: ["whatever", "%(nope)s"],
};
const SERVER_KEYS: Record<string, Pool> = {
  logfile: ["/tmp/supervisord.log", "/dev/null", "~/s.log", "syslog", "/tmp/%(ENV_GEN_A)s.log", "%(here)s/s.log", "/tmp/%(program_name)s"],
  logfile_maxbytes: SIZE, logfile_backups: INT, loglevel: LOGLEVELS, pidfile: ["/tmp/supervisord.pid", "/run/s.pid", "~/s.pid", "%(here)s/s.pid"],
  nodaemon: BOOL, silent: BOOL, minfds: ["1024", "x", "-1", "100000"], minprocs: ["200", "0", "y"], umask: OCTAL,
  user: ["root", "nobody", "missing", "0", "65534"], identifier: ["supervisor", "x y"], directory: ["/tmp", "~"], childlogdir: ["/tmp", "~"],
  nocleanup: BOOL, strip_ansi: BOOL, environment: ENVIRONMENTS, unknown_key: ["1"],
};

/** The world both sides see: these variables, users and groups. */
export const GEN_ENV: Record<string, string> = {
  HOME: "/home/gen", PATH: "/usr/local/bin:/usr/bin:/bin", LC_ALL: "C.UTF-8", GEN_A: "alpha", GEN_NUM: "7", GEN_YES: "yes",
  GEN_USER: "app", GEN_PCT: "50%", GEN_PORT: "9123", GEN_EMPTY: "",
};
export const GEN_PASSWD = ["root:x:0:0:root:/root:/bin/sh", "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  "app:x:1000:1000:app:/home/app:/bin/sh", "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin"].join("\n") + "\n";
export const GEN_GROUP = ["root:x:0:", "nogroup:x:65534:", "app:x:1000:", "www-data:x:33:app"].join("\n") + "\n";

class Writer {
  lines: string[] = [];
  constructor(private r: () => number) {}
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  /** A value: realistic (before EDGE, or the first third of the pool) most of the time, any form otherwise. */
  value(pool: Pool, edge = 0.25): string {
    const cut = pool.indexOf(EDGE);
    const all = pool.filter((x) => x !== EDGE);
    return this.chance(edge) ? this.pick(all) : this.pick(cut < 0 ? pool.slice(0, Math.max(1, Math.ceil(pool.length / 3))) : pool.slice(0, cut));
  }
  section(name: string): void {
    if (this.lines.length) this.lines.push("");
    this.lines.push(this.chance(0.05) ? `[${name}] ; ${this.pick(["comment", "x=y"])}` : `[${name}]`);
  }
  key(key: string, value: string): void {
    const k = this.chance(0.05) ? key.toUpperCase() : key;
    const sep = this.pick(["=", "=", "=", " = ", ": ", ":"]);
    const comment = this.chance(0.06) ? this.pick([" ; inline", " # inline", " ;", "\t; tabbed", ";not-a-comment"]) : "";
    if (this.chance(0.03)) this.lines.push(this.pick(["; a comment", "# another", "   ; indented comment"]));
    this.lines.push(`${k}${sep}${value}${comment}`);
  }
}

function keys(w: Writer, pool: Record<string, Pool>, count: number, edge: number): void {
  const names = Object.keys(pool);
  const chosen = new Set<string>();
  for (let i = 0; i < count; i++) chosen.add(w.pick(names));
  for (const k of chosen) w.key(k, w.value(pool[k]!, edge));
  if (w.chance(0.03) && chosen.size) {
    const again = [...chosen][0]!;
    w.key(again, w.value(pool[again]!, edge));
  }
}

function programBody(w: Writer, edge: number, numprocsOk: boolean): void {
  w.key("command", w.value(COMMANDS, edge));
  if (numprocsOk && w.chance(0.2)) {
    w.key("numprocs", w.value(["2", "3", "2", "0", "-1", "+2", "two", "0_2", "1"], edge));
    if (!w.chance(edge)) w.key("process_name", w.pick(["%(program_name)s_%(process_num)02d", "%(program_name)s-%(process_num)d", "w%(process_num)x"]));
  }
  keys(w, PROGRAM_KEYS, Math.floor(w.pick([2, 4, 6, 9])), edge);
}

/**
 * The config number `index` of run `seed`.
 * @example generateConfig(1, 0).files["supervisord.conf"] // "[supervisord]\n…"
 */
export function generateConfig(seed: number, index: number): GeneratedConfig {
  const r = rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
  const w = new Writer(r);
  // Most configs have at most a few edge values, so that most are accepted and every field is compared.
  const edge = w.pick([0, 0, 0.03, 0.08, 0.2]);
  const files: Record<string, string> = {};
  const programs = ["web", "worker", "cron", "api", "db"].slice(0, 1 + Math.floor(r() * 4));

  if (w.chance(0.97)) {
    w.section("supervisord");
    keys(w, SERVER_KEYS, w.pick([0, 1, 2, 4]), edge);
  }
  if (w.chance(0.15)) {
    w.section("DEFAULT");
    keys(w, { ...PROGRAM_KEYS, priority: ["5", "x"], autostart: ["false", "maybe"] }, w.pick([1, 2]), edge / 2);
  }
  if (w.chance(0.3)) {
    w.section("unix_http_server");
    w.key("file", w.value(["/tmp/gen.sock", "%(here)s/s.sock", "/tmp/%(ENV_GEN_A)s.sock", "/tmp/%(nope)s"], edge));
    if (w.chance(0.4)) w.key("chmod", w.value(["0700", "0777", "770", "abc", "0o600", ""], edge));
    if (w.chance(0.4)) w.key("chown", w.value(CHOWNS, edge + 0.3));
    if (w.chance(0.3)) {
      if (!w.chance(edge)) w.key("username", "user");
      if (!w.chance(edge)) w.key("password", w.pick(["123", "%(ENV_GEN_A)s", "pass word"]));
    }
    if (w.chance(0.1)) w.key("unknown_key", "x");
  }
  if (w.chance(0.2)) {
    w.section("inet_http_server");
    w.key("port", w.value(PORTS, edge));
    if (w.chance(0.3)) {
      if (!w.chance(edge)) w.key("username", "user");
      if (!w.chance(edge)) w.key("password", "pw");
    }
    if (w.chance(0.1)) w.key("unknown_key", "x");
  }
  if (w.chance(0.3)) {
    w.section("supervisorctl");
    w.key("serverurl", w.pick(["unix:///tmp/gen.sock", "http://127.0.0.1:9001", "garbage"]));
    if (w.chance(0.2)) w.key("prompt", "gen");
    if (w.chance(0.1)) w.key("unknown_key", "%(nope)s");
  }
  if (w.chance(0.3)) {
    w.section("rpcinterface:supervisor");
    if (w.chance(0.95)) w.key("supervisor.rpcinterface_factory", "supervisor.rpcinterface:make_main_rpcinterface");
    if (w.chance(0.1)) w.key("extra", w.pick(["1", "%(nope)s", "%(ENV_GEN_A)s"]));
  }
  if (w.chance(0.05)) w.section(w.pick(["unknown", "ctlplugin:x", "program", "programs:x"]));

  const inGroup = new Set<string>();
  for (const p of programs) {
    const kind = w.chance(0.08) ? "fcgi-program" : "program";
    w.section(`${kind}:${w.chance(0.02) ? w.pick([`${p} x`, `${p}:x`, ` ${p} `]) : p}`);
    if (kind === "fcgi-program") {
      const socket = w.value(SOCKETS, edge);
      w.key("socket", socket);
      const unix = socket.startsWith("unix:") || w.chance(edge);
      if (unix && w.chance(0.3)) w.key("socket_owner", w.value(CHOWNS, edge));
      if (unix && w.chance(0.3)) w.key("socket_mode", w.value(["0700", "0666", EDGE, "x"], edge));
      if (w.chance(0.3)) w.key("socket_backlog", w.value(["128", "1", EDGE, "0", "65536", "x"], edge));
    }
    programBody(w, edge, kind === "program");
    if (w.chance(0.04)) {
      w.section(`program:${p}`); // the same section again: configparser merges it
      w.key("priority", w.pick(["1", "x"]));
    }
  }
  if (w.chance(0.25)) {
    w.section(`group:${w.pick(["site", "all_of_it", "g"])}`);
    const members = programs.filter(() => w.chance(0.6));
    members.forEach((m) => inGroup.add(m));
    w.key("programs", w.chance(edge) ? w.pick([`${members.join(",")},missing`, `${members.join(",,")}`, ""]) : members.join(w.pick([",", ", "])));
    if (w.chance(0.4)) w.key("priority", w.value(INT, edge));
    if (w.chance(0.05)) w.key("unknown_key", "x");
  }
  if (w.chance(0.2)) {
    w.section(`eventlistener:${w.pick(["listener", "stdout_forwarder"])}`);
    w.key("command", w.value(["python3 /opt/listener.py", "supervisor_stdout", "%(program_name)s"], edge));
    w.key("events", w.value(EVENTS, edge));
    if (w.chance(0.5)) w.key("result_handler", w.value(HANDLERS, edge));
    if (w.chance(0.3)) w.key("buffer_size", w.value(["10", "1", "100", "0", "-1", "x"], edge));
    if (w.chance(0.2)) w.key("redirect_stderr", w.value(["false", "true"], edge));
    keys(w, PROGRAM_KEYS, w.pick([0, 2, 4]), edge);
  }
  if (w.chance(0.2)) {
    w.section("include");
    w.key("files", w.value(["conf.d/*.conf", "conf.d/*.conf extra/*.ini", "%(here)s/conf.d/*.conf", "missing/*.conf", ""], edge));
    const extra = new Writer(r);
    extra.section(`program:included_${index % 7}`);
    programBody(extra, edge, true);
    if (extra.chance(0.2)) {
      extra.section("include"); // not followed: only the main file's [include] counts
      extra.key("files", "conf.d/nested/*.conf");
      files["conf.d/nested/x.conf"] = "[program:nested]\ncommand=/bin/true\n";
    }
    files["conf.d/10-extra.conf"] = extra.lines.join("\n") + "\n";
    if (extra.chance(0.3)) files["extra/b.ini"] = "[program:from_ini]\ncommand=/bin/true\n";
  }
  let text = w.lines.join("\n") + "\n";
  if (w.chance(0.05)) text = text.replace(/\n/g, "\r\n");
  files["supervisord.conf"] = text;
  void inGroup;
  return { id: `${seed}/${index}`, main: "supervisord.conf", files };
}
