// [group:x], [eventlistener:x] and [supervisord] read as supervisord reads them, and user='s
// supplementary groups as initgroups gives them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseConfigText } from "../../src/config/parse.ts";
import { lookupUser, supplementaryGroups } from "../../src/config/users.ts";
import { DEFAULT_RESULT_HANDLER } from "../../src/config/types.ts";

const FILE = "/etc/corral.conf";
const PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n";
const GROUP = "root:x:0:\nssl-cert:x:110:postgres,app\napp:x:1000:\nshared:x:2000:app\nother:x:3000:appx\n";
const parse = (text: string, env: Record<string, string> = {}) =>
  parseConfigText(text, FILE, env, { hostname: "box", passwd: () => PASSWD, group: () => GROUP });

test("[group:x] members are named GROUP:PROCESS, carry the group and its priority, and start in group order", () => {
  const config = parse([
    "[group:site]", "programs=web, worker", "priority=5",
    "[program:web]", "command=web", "priority=20", "[program:worker]", "command=worker", "numprocs=2", "process_name=w%(process_num)d",
    "[program:cron]", "command=cron", "priority=1", "[program:late]", "command=late", "priority=10",
  ].join("\n"));
  assert.equal(config.programs.map((p) => [p.name, p.group, p.program, p.priority, p.groupPriority]), [
    ["cron", "cron", "cron", 1, 1],
    ["site:web", "site", "web", 20, 5],
    ["site:w0", "site", "worker", 999, 5],
    ["site:w1", "site", "worker", 999, 5],
    ["late", "late", "late", 10, 10],
  ]);
  assert.equal(config.groups, [{ name: "site", priority: 5, programs: ["web", "worker"], processes: ["site:web", "site:w0", "site:w1"], origin: "/etc/corral.conf:1" }]);
});

test("%(group_name)s is the [group:x] name for its members and the program name otherwise", () => {
  const config = parse("[group:g]\nprograms=a\n[program:a]\ncommand=echo %(group_name)s %(program_name)s\n[program:b]\ncommand=echo %(group_name)s\n");
  assert.equal(config.programs.map((p) => [p.name, p.command]), [["b", ["echo", "b"]], ["g:a", ["echo", "g", "a"]]]);
});

test("depends_on may name a [group:x]: it waits for every member", () => {
  const config = parse("[group:db]\nprograms=pg,redis\n[program:pg]\ncommand=pg\n[program:redis]\ncommand=redis\n[program:web]\ncommand=web\ndepends_on=db\n");
  assert.equal(config.programs.find((p) => p.name === "web")!.dependsOn, ["db:pg", "db:redis"]);
});

test("a group of no programs is fine, as in supervisord", () => {
  const config = parse("[group:empty]\n[program:a]\ncommand=a\n");
  assert.equal(config.groups.map((g) => [g.name, g.programs, g.processes]), [["empty", [], []]]);
});

test("an [eventlistener:x] is a ListenerSpec: events upper-cased and each once, buffer_size, priority -1 by default", () => {
  const config = parse("[eventlistener:watch]\ncommand=/bin/watch --x\nevents=tick_60, PROCESS_STATE,TICK_60\nbuffer_size=100\nautorestart=true\n");
  assert.equal(config.programs, []);
  const [l] = config.listeners;
  assert.equal([l!.name, l!.events, l!.bufferSize, l!.priority, l!.resultHandler], ["watch", ["TICK_60", "PROCESS_STATE"], 100, -1, DEFAULT_RESULT_HANDLER]);
  assert.equal(l!.processes.map((p) => [p.name, p.group, p.command, p.autorestart]), [["watch", "watch", ["/bin/watch", "--x"], "true"]]);
  assert.equal(config.warnings, []);
});

test("a listener pool with numprocs=2 names its processes POOL:PROCESS", () => {
  const config = parse("[eventlistener:p]\ncommand=l\nevents=EVENT\nnumprocs=2\nprocess_name=l%(process_num)d\n");
  assert.equal(config.listeners[0]!.processes.map((p) => p.name), ["p:l0", "p:l1"]);
});

test("a result_handler of another plugin is kept as written and warned about (every RESULT acknowledges); supervisor-stdout's is run", () => {
  const config = parse("[eventlistener:out]\ncommand=my_listener\nevents=PROCESS_LOG\nresult_handler=my_plugin:handler\n");
  assert.is(config.listeners[0]!.resultHandler, "my_plugin:handler");
  assert.equal(config.warnings, [
    '/etc/corral.conf:4: [eventlistener:out] result_handler: corral cannot run "my_plugin:handler" (only supervisor.dispatchers:default_handler, supervisor_stdout:event_handler): every RESULT acknowledges its event, whatever it says',
  ]);
  assert.equal(parse("[eventlistener:out]\ncommand=supervisor_stdout\nevents=PROCESS_LOG\nresult_handler=supervisor_stdout:event_handler\n").warnings, []);
  assert.throws(() => parse("[eventlistener:out]\ncommand=l\nevents=TICK_5\nresult_handler=supervisor.dispatchers:nope\n"), /result_handler: expected one of/);
  assert.is(parse("[eventlistener:x]\ncommand=l\nevents=TICK_5\n").listeners[0]!.resultHandler, DEFAULT_RESULT_HANDLER);
});

test("subscribing to events corral never sends is accepted with a warning", () => {
  const config = parse("[eventlistener:x]\ncommand=l\nevents=PROCESS_COMMUNICATION_STDOUT,TICK_5\n");
  assert.equal(config.warnings, ["/etc/corral.conf:3: [eventlistener:x] events: corral never sends PROCESS_COMMUNICATION_STDOUT"]);
});

test("stdout_events_enabled/stderr_events_enabled mark a program's output as PROCESS_LOG events", () => {
  const config = parse("[program:a]\ncommand=a\nstdout_events_enabled=true\n[program:b]\ncommand=b\nstderr_events_enabled=yes\n");
  assert.equal(config.programs.map((p) => [p.stdoutEvents ?? false, p.stderrEvents ?? false]), [[true, false], [false, true]]);
  assert.equal(config.warnings, []);
});

test("[supervisord] environment= reaches every program, the program's own winning, and %(ENV_X)s sees it", () => {
  const config = parse("[supervisord]\nenvironment=A=1,B=%(ENV_HOME)s\npidfile=/run/supervisord.pid\n[program:a]\ncommand=echo %(ENV_A)s\nenvironment=B=own\n[program:b]\ncommand=b\n", { HOME: "/root" });
  assert.equal(config.programs.map((p) => [p.command, p.environment]), [[["echo", "1"], { A: "1", B: "own" }], [["b"], { A: "1", B: "/root" }]]);
  assert.equal([config.pidfile, config.environment], ["/run/supervisord.pid", { A: "1", B: "/root" }]);
});

test("without [supervisord] there is no pidfile and no shared environment", () => {
  const config = parse("[program:a]\ncommand=a\n");
  assert.equal([config.pidfile, config.environment], [undefined, {}]);
});

test("user= gets the primary gid first, then every /etc/group entry listing the user, as initgroups does", () => {
  assert.equal(parse("[program:a]\ncommand=a\nuser=app\n").programs[0]!.user, { name: "app", uid: 1000, gid: 1000, home: "/home/app", groups: [1000, 110, 2000] });
  assert.equal(supplementaryGroups("app", 110, GROUP), [110, 2000], "the primary gid is listed once");
  assert.equal(lookupUser("root", PASSWD, "").groups, [0], "no /etc/group: the primary gid only");
});

test.run();
