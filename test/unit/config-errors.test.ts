// Malformed configs are rejected before anything starts, with one line naming file, line,
// section, key and what was expected.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { parseConfigText } from "../../src/config/parse.ts";

const FILE = "/etc/corral.conf";
const PASSWD = "root:x:0:0:root:/root:/bin/sh\n";
const web = (...lines: string[]) => ["[program:web]", ...lines].join("\n");

/** [what is wrong, config text, the exact message]. */
const CASES: [string, string, string][] = [
  ["startsecs is not a number", ["[program:db]", "command=db", "", "", "", "", "", "", "", "", "[program:web]", "startsecs=soon", "command=web"].join("\n"),
    '/etc/corral.conf:12: [program:web] startsecs: expected an integer, got "soon"'],
  ["no command", web("autostart=true"), "/etc/corral.conf:1: [program:web] command: expected a command line, got none"],
  ["numprocs > 1 without %(process_num) in process_name", web("command=web", "numprocs=2", "process_name=web"),
    '/etc/corral.conf:4: [program:web] process_name: expected %(process_num) in process_name when numprocs > 1, got "web"'],
  ["a word for priority", web("command=web", "priority=high"), '/etc/corral.conf:3: [program:web] priority: expected an integer, got "high"'],
  ["a bad boolean", web("command=web", "autostart=maybe"), '/etc/corral.conf:3: [program:web] autostart: expected true or false (or yes/no, on/off, 1/0), got "maybe"'],
  ["a bad autorestart", web("command=web", "autorestart=sometimes"), '/etc/corral.conf:3: [program:web] autorestart: expected true, false or unexpected, got "sometimes"'],
  ["an exit code above 255", web("command=web", "exitcodes=0,256"), '/etc/corral.conf:3: [program:web] exitcodes: expected comma-separated exit codes from 0 to 255, got "0,256"'],
  ["an unknown signal", web("command=web", "stopsignal=FOO"), '/etc/corral.conf:3: [program:web] stopsignal: expected a signal name or number like TERM, INT or 15, got "FOO"'],
  ["a non-octal umask", web("command=web", "umask=089"), '/etc/corral.conf:3: [program:web] umask: expected an octal number like 022, got "089"'],
  ["an unknown user", web("command=web", "user=nobody2"), '/etc/corral.conf:3: [program:web] user: expected a user name or uid listed in /etc/passwd, got "nobody2"'],
  ["an unknown uid", web("command=web", "user=4242"), '/etc/corral.conf:3: [program:web] user: expected a user name or uid listed in /etc/passwd, got "4242"'],
  ["a key without a value in environment", web("command=web", "environment=A=1,B"),
    '/etc/corral.conf:3: [program:web] environment: expected KEY=VALUE pairs separated by commas (quote values that hold commas or spaces), got "A=1,B"'],
  ["a size with a bad unit", web("command=web", "stdout_logfile_maxbytes=5TB"),
    '/etc/corral.conf:3: [program:web] stdout_logfile_maxbytes: expected a size like 50MB, 512KB or 0 (unlimited), got "5TB"'],
  ["a bad no-effect key value", web("command=web", "stdout_syslog=perhaps"),
    '/etc/corral.conf:3: [program:web] stdout_syslog: expected true or false (or yes/no, on/off, 1/0), got "perhaps"'],
  ["an unset environment variable", web("command=web --home %(ENV_NOPE)s"),
    '/etc/corral.conf:2: [program:web] command: expected a name in %(...)s that is ENV_<set variable> or one of group_name, here, host_node_name, numprocs, process_num, program_name, got "%(ENV_NOPE)s"'],
  ["a lone % in a value", web("command=date +%s"), '/etc/corral.conf:2: [program:web] command: expected %(name)s forms or %% for a literal % (%s without a (name)), got "date +%s"'],
  ["a program name with a space", "[program:my web]\ncommand=web",
    `/etc/corral.conf:1: [program:my web]: expected a name without spaces, ':' or '/', got "my web"`],
  ["a process name with a slash", web("command=web", "process_name=a/b"),
    `/etc/corral.conf:3: [program:web] process_name: expected a name without spaces, ':' or '/', got "a/b"`],
  ["depends_on an unknown program", web("command=web", "depends_on=db"),
    '/etc/corral.conf:3: [program:web] depends_on: expected names of programs, groups or processes in this config, got "db"'],
  ["a dependency cycle", web("command=web", "depends_on=db", "[program:db]", "command=db", "depends_on=web"),
    "/etc/corral.conf:3: [program:web] depends_on: expected no dependency cycle, got web -> db -> web"],
  ["a program depending on itself", web("command=web", "depends_on=web"),
    "/etc/corral.conf:3: [program:web] depends_on: expected no dependency cycle, got web -> web"],
  ["an empty name in depends_on", web("command=web", "depends_on=a,,b"),
    '/etc/corral.conf:3: [program:web] depends_on: expected comma-separated program names, got "a,,b"'],
  ["a ready= of unknown shape", web("command=web", "ready=ftp://localhost"),
    '/etc/corral.conf:3: [program:web] ready: expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "ftp://localhost"'],
  ["a ready= port out of range", web("command=web", "ready=tcp:localhost:99999"),
    '/etc/corral.conf:3: [program:web] ready: expected tcp:HOST:PORT with a port 1-65535, got "tcp:localhost:99999"'],
  ["a job name with a slash", web("command=web", "job=a/b"),
    `/etc/corral.conf:3: [program:web] job: expected a job name of letters, digits, '.', '_' and '-', got "a/b"`],
  ["critical= not a boolean", web("command=web", "critical=yes please"),
    '/etc/corral.conf:3: [program:web] critical: expected true or false (or yes/no, on/off, 1/0), got "yes please"'],
  ["log_prefix= not a boolean", web("command=web", "log_prefix=2"),
    '/etc/corral.conf:3: [program:web] log_prefix: expected true or false (or yes/no, on/off, 1/0), got "2"'],
  ["a [group:x] naming no [program:x]", web("command=web", "[group:site]", "programs=web, db"),
    '/etc/corral.conf:4: [group:site] programs: expected names of [program:NAME] sections, got "db"'],
  ["a listener with an unknown event", "[eventlistener:x]\ncommand=l\nevents=TICK_5,TICK_7",
    '/etc/corral.conf:3: [eventlistener:x] events: expected supervisord event type names like PROCESS_STATE_FATAL, TICK_60 or PROCESS_LOG, got "TICK_7"'],
  ["two programs with the same process name in one group", web("command=a", "process_name=x", "[program:b]", "command=b", "process_name=x", "[group:g]", "programs=web,b"),
    '/etc/corral.conf:6: [program:b] process_name: expected a unique process name, got "g:x" (also [program:web] at /etc/corral.conf:1)'],
  ["stopasgroup without killasgroup", web("command=web", "stopasgroup=true", "killasgroup=false"),
    "/etc/corral.conf:4: [program:web] killasgroup: cannot be false when stopasgroup=true (as supervisord)"],
  ["a key before any section", "command=web\n[program:web]", '/etc/corral.conf:1: expected a [section] header first, got "command=web"'],
];

for (const [what, text, expected] of CASES) {
  test(`rejects ${what} with one exact line`, () => {
    try {
      parseConfigText(text, FILE, { HOME: "/root" }, { hostname: "box", passwd: () => PASSWD });
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.is((e as Error).message, expected);
      return;
    }
    assert.unreachable(`accepted: ${what}`);
  });
}

// What supervisord accepts at load and fails at spawn (or simply runs), corral accepts too.
test("accepted as supervisord accepts them: a command it cannot split (spawn error), numprocs=0, negative times, a program in two groups", () => {
  const parse = (text: string) => parseConfigText(text, FILE, { HOME: "/root" }, { hostname: "box", passwd: () => PASSWD });
  assert.equal(parse(web("command=")).programs.map((p) => [p.command, p.spawnError]), [[[], "command is empty"]]);
  assert.equal(parse(web(`command=sh -c "exec web`)).programs.map((p) => p.spawnError), [`can't parse command 'sh -c "exec web': No closing quotation`]);
  assert.equal(parse(web("command=web", "numprocs=0")).programs, []);
  assert.equal(parse(web("command=web", "stopwaitsecs=-1", "startsecs=-2")).programs.map((p) => [p.stopwaitsecs, p.startsecs]), [[-1, -2]]);
  assert.equal(parse(web("command=web", "stderr_logfile=")).programs.map((p) => p.stderr), [{ kind: "null" }]);
  assert.equal(parse(web("command=web", "[group:a]", "programs=web", "[group:b]", "programs=web")).programs.map((p) => p.name), ["a:web", "b:web"]);
  assert.equal(parse(web("command=a", "process_name=x", "[program:b]", "command=b", "process_name=x")).programs.map((p) => p.name), ["b:x", "web:x"]);
});

const BAD = "test/fixtures/configs/bad";

test("every fixture in test/fixtures/configs/bad is rejected with the message expected.txt gives", () => {
  const expected = readFileSync(join(BAD, "expected.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t") as [string, string]);
  assert.equal(expected.map(([f]) => f), readdirSync(BAD).filter((f) => f.endsWith(".conf")).sort());
  assert.is(expected.length, 20);
  for (const [file, regex] of expected) {
    try {
      loadConfig([join(BAD, file)], {}, { hostname: "box", passwd: () => PASSWD });
    } catch (e) {
      assert.instance(e, ConfigError, file);
      assert.match((e as Error).message, new RegExp(regex), file);
      assert.not.match((e as Error).message, /\n/, file);
      continue;
    }
    assert.unreachable(`accepted: ${file}`);
  }
});

test.run();
