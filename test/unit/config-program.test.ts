// [program:x] sections become ProgramSpecs with supervisord's defaults and meaning.
import { readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseConfigText, type ParseOptions } from "../../src/config/parse.ts";
import type { ProgramSpec } from "../../src/config/types.ts";

const FILE = "/etc/corral.conf";
const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\n";
const opts: ParseOptions = { hostname: "box", passwd: () => PASSWD };
const parse = (text: string, env: Record<string, string> = {}) => parseConfigText(text, FILE, env, opts);
const one = (body: string, env: Record<string, string> = {}): ProgramSpec => parse(`[program:web]\n${body}`, env).programs[0]!;

test("a program with only command= gets supervisord's defaults and inherits corral's stdout/stderr", () => {
  assert.equal(one("command=/bin/web"), {
    name: "web", group: "web", program: "web", groupPriority: 999, command: ["/bin/web"], priority: 999, autostart: true, autorestart: "unexpected",
    startsecs: 1, startretries: 3, exitcodes: [0], stopsignal: 15, stopwaitsecs: 10, environment: {},
    redirectStderr: false, stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, dependsOn: [], origin: "/etc/corral.conf:1", commandLine: "/bin/web",
  });
});

test("the seed-004 supervisord.conf runs unmodified: four programs on corral's stdout, sorted by name", () => {
  const file = "test/fixtures/configs/seed-004.conf";
  const config = parseConfigText(readFileSync(file, "utf8"), file, {}, opts);
  assert.equal(config.programs.map((p) => [p.name, p.command, p.stdout]), [
    ["debugging-tool", ["/bin/start-debugging"], { kind: "inherit", fd: 1 }],
    ["monitoring-tool", ["/bin/start-monitoring"], { kind: "inherit", fd: 1 }],
    ["service-discovery", ["/bin/start-servicediscovery"], { kind: "inherit", fd: 1 }],
    ["webserver", ["/bin/start-webserver"], { kind: "inherit", fd: 1 }],
  ]);
  assert.equal(config.warnings, []);
  assert.equal(config.files, [file]);
});

test("the seed-004 event listener is a pool of its own, its process named webserver_exit:webserver", () => {
  const file = "test/fixtures/configs/seed-004-eventlistener.conf";
  const config = parseConfigText(readFileSync(file, "utf8"), file, {}, opts);
  assert.is(config.programs.length, 4);
  assert.equal(config.warnings, []);
  const [pool] = config.listeners;
  assert.equal([config.listeners.length, pool!.name, pool!.events, pool!.bufferSize, pool!.priority], [1, "webserver_exit", ["PROCESS_STATE_FATAL"], 10, -1]);
  assert.equal(pool!.processes.map((p) => [p.name, p.group, p.command]), [["webserver_exit:webserver", "webserver_exit", ["/usr/bin/kill_supervisor.py"]]]);
});

test("every supervisord key corral acts on is read with its meaning", () => {
  const p = one([
    "command=/bin/web --port 80", "priority=-5", "autostart=no", "autorestart=true", "startsecs=0", "startretries=7",
    "exitcodes=0,2", "stopsignal=QUIT", "stopwaitsecs=30", "user=app", "directory=/srv", "umask=027",
    'environment=A="1,2",B=b', "redirect_stderr=true", "stdout_logfile=/var/log/web.log",
    "stdout_logfile_maxbytes=1MB", "stdout_logfile_backups=2",
  ].join("\n"));
  assert.equal(
    [p.command, p.priority, p.autostart, p.autorestart, p.startsecs, p.startretries, p.exitcodes, p.stopsignal, p.stopwaitsecs],
    [["/bin/web", "--port", "80"], -5, false, "true", 0, 7, [0, 2], 3, 30]);
  assert.equal(p.user, { name: "app", uid: 1000, gid: 1001, home: "/home/app", groups: [1001] });
  assert.equal([p.directory, p.umask, p.environment, p.redirectStderr], ["/srv", 0o27, { A: "1,2", B: "b" }, true]);
  const log = { kind: "file", path: "/var/log/web.log", maxBytes: 1024 * 1024, backups: 2 };
  assert.equal([p.stdout, p.stderr], [log, log]);
});

test("user= also takes a uid listed in /etc/passwd", () => {
  assert.equal(one("command=x\nuser=0").user, { name: "root", uid: 0, gid: 0, home: "/root", groups: [0] });
});

test("log files: /dev/fd/N and /dev/stdout|stderr inherit, NONE is null, AUTO warns and inherits", () => {
  const config = parse([
    "[program:a]", "command=a", "stdout_logfile=/dev/stderr", "stderr_logfile=/dev/fd/1",
    "[program:b]", "command=b", "stdout_logfile=NONE", "stderr_logfile=AUTO",
  ].join("\n"));
  const [a, b] = config.programs;
  assert.equal([a!.stdout, a!.stderr], [{ kind: "inherit", fd: 2 }, { kind: "inherit", fd: 1 }]);
  assert.equal([b!.stdout, b!.stderr], [{ kind: "null" }, { kind: "inherit", fd: 2 }]);
  assert.equal(config.warnings, ["/etc/corral.conf:8: [program:b] stderr_logfile: AUTO log files are not kept; output goes to corral's stderr"]);
});

test("%(ENV_X)s, %(program_name)s, %(group_name)s, %(here)s and %(host_node_name)s expand in values", () => {
  const p = one([
    "command=/bin/%(program_name)s --home %(ENV_HOME)s --conf %(here)s/web.ini --host %(host_node_name)s",
    "directory=%(ENV_HOME)s/%(group_name)s", "environment=PORT=%(ENV_PORT)s,SELF=%(program_name)s",
    "ready=http://localhost:%(ENV_PORT)s/health",
  ].join("\n"), { HOME: "/root", PORT: "8080" });
  assert.equal(p.command, ["/bin/web", "--home", "/root", "--conf", "/etc/web.ini", "--host", "box"]);
  assert.equal([p.directory, p.environment, p.ready], ["/root/web", { PORT: "8080", SELF: "web" }, "http://localhost:8080/health"]);
});

test("a program's own environment= is visible as %(ENV_X)s in its other values, %% stays a literal %", () => {
  const p = one("environment=GREETING=hi\ncommand=echo %(ENV_GREETING)s 100%%");
  assert.equal(p.command, ["echo", "hi", "100%"]);
});

test("numprocs=N gives N processes named from process_name with %(process_num)", () => {
  const config = parse([
    "[program:worker]", "command=work --id %(process_num)d of %(numprocs)d", "numprocs=3", "numprocs_start=1",
    "process_name=%(program_name)s_%(process_num)02d", "environment=SLOT=%(process_num)s",
  ].join("\n"));
  assert.equal(config.programs.map((p) => [p.name, p.group, p.command.slice(2).join(" "), p.environment["SLOT"]]), [
    ["worker:worker_01", "worker", "1 of 3", "1"],
    ["worker:worker_02", "worker", "2 of 3", "2"],
    ["worker:worker_03", "worker", "3 of 3", "3"],
  ]);
});

test("programs are sorted by priority, then by name", () => {
  const config = parse("[program:b]\ncommand=b\n[program:a]\ncommand=a\n[program:z]\ncommand=z\npriority=1\n");
  assert.equal(config.programs.map((p) => p.name), ["z", "a", "b"]);
});

test("corral's keys: critical, job, depends_on (a program names all its processes), ready, log_prefix", () => {
  const config = parse([
    "[program:db]", "command=db", "numprocs=2", "process_name=db_%(process_num)d", "ready=tcp:127.0.0.1:5432",
    "[program:cache]", "command=cache", "ready=exec:redis-cli ping",
    "[program:web]", "command=web", "critical=true", "job=frontend", "depends_on=db, cache", "log_prefix=false",
    "ready=https://localhost/healthz",
  ].join("\n"));
  const web = config.programs.find((p) => p.name === "web")!;
  assert.equal([web.critical, web.job, web.dependsOn, web.ready, web.logPrefix], [true, "frontend", ["db:db_0", "db:db_1", "cache"], "https://localhost/healthz", false]);
  const cache = config.programs.find((p) => p.name === "cache")!;
  assert.equal([cache.critical, cache.job, cache.dependsOn, cache.ready, cache.logPrefix], [false, undefined, [], "exec:redis-cli ping", undefined]);
  assert.is(config.programs.find((p) => p.name === "db:db_1")!.ready, "tcp:127.0.0.1:5432");
});

test("depends_on may name a single process of a numprocs program", () => {
  const config = parse("[program:db]\ncommand=db\nnumprocs=2\nprocess_name=db%(process_num)d\n[program:web]\ncommand=web\ndepends_on=db1\n");
  assert.equal(config.programs.find((p) => p.name === "web")!.dependsOn, ["db:db1"]);
});

test("the control API's sections are read without warnings; sections corral does not run warn once each", () => {
  const config = parse([
    "[supervisord]", "nodaemon=true", "logfile=/dev/null", "[unix_http_server]", "file=/tmp/s.sock",
    "[inet_http_server]", "port=:9001", "[supervisorctl]", "serverurl=unix:///tmp/s.sock",
    "[rpcinterface:supervisor]", "supervisor.rpcinterface_factory=supervisor.rpcinterface:make_main_rpcinterface",
    "[eventlistener:webserver_exit]", "command=/usr/bin/kill_supervisor.py", "events=PROCESS_STATE_FATAL",
    "[group:all]", "programs=web", "[fcgi-program:php]", "command=php-cgi", "socket=tcp://localhost:9000",
    "[program:web]", "command=web",
  ].join("\n"));
  assert.equal(config.programs.map((p) => [p.name, p.socket?.url]), [["all:web", undefined], ["php", "tcp://localhost:9000"]]);
  assert.equal(config.warnings, [
    "/etc/corral.conf:1: [supervisord] logfile: no effect: corral logs to its stderr",
  ]);
});

test("supervisord keys with no effect are accepted; those asking for a missing feature warn", () => {
  const p = parse([
    "[program:web]", "command=web", "stopasgroup=true", "killasgroup=true", "serverurl=AUTO",
    "stdout_capture_maxbytes=0", "stdout_events_enabled=false", "stderr_syslog=true",
  ].join("\n"));
  assert.is(p.programs.length, 1);
  assert.equal(p.warnings, ["/etc/corral.conf:8: [program:web] stderr_syslog: no effect: corral does not write to syslog"]);
});

test("redirect_stderr=true sends stderr where stdout goes and warns about a stderr_logfile path", () => {
  const config = parse("[program:web]\ncommand=web\nredirect_stderr=true\nstderr_logfile=/tmp/err.log\n");
  assert.equal(config.programs[0]!.stderr, { kind: "inherit", fd: 1 });
  assert.equal(config.warnings, ["/etc/corral.conf:4: [program:web] stderr_logfile: ignored: redirect_stderr=true sends stderr with stdout"]);
});

test("a multi-line command continues on indented lines", () => {
  assert.equal(one("command=/bin/web\n  --port 80\n  --verbose").command, ["/bin/web", "--port", "80", "--verbose"]);
});

test("stopasgroup/killasgroup: false by default, killasgroup follows stopasgroup, stopasgroup without killasgroup is refused (as supervisord)", () => {
  assert.equal([one("command=web").stopasgroup, one("command=web").killasgroup], [undefined, undefined]);
  assert.equal([one("command=web\nstopasgroup=true").stopasgroup, one("command=web\nstopasgroup=true").killasgroup], [true, true]);
  assert.equal([one("command=web\nkillasgroup=true").stopasgroup, one("command=web\nkillasgroup=true").killasgroup], [undefined, true]);
  assert.throws(() => one("command=web\nstopasgroup=true\nkillasgroup=false"), /killasgroup: cannot be false when stopasgroup=true/);
});

test.run();
