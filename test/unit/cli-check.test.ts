// `corral --config FILE --check`: the listing, the warnings, and --strict, without starting anything.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkConfig, shellLine } from "../../src/modes/check.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-check-"));
function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

test("each process is one line: name, command, user, autostart, restart, priority, group, log targets", () => {
  const conf = file("a.conf", "[group:site]\nprograms=web\npriority=5\n[program:web]\ncommand=sh -c 'exec web'\nstdout_logfile=/var/log/web.log\nredirect_stderr=true\nuser=root\n[program:cron]\ncommand=cron -f\nautostart=false\nstdout_logfile=NONE\n");
  const r = checkConfig({ config: conf }, {});
  assert.equal(r.report.split("\n"), [
    `program site:web: command="sh -c 'exec web'" user=root autostart=true autorestart=unexpected priority=999 group=site stdout=/var/log/web.log stderr=stdout`,
    `program cron: command="cron -f" user=- autostart=false autorestart=unexpected priority=999 group=cron stdout=none stderr=corral-stderr`,
    "group site: priority=5 programs=web",
    "",
  ]);
  assert.equal([r.code, r.error], [0, undefined]);
});

test("listener pools are listed with their events, and their processes' stdout is the protocol", () => {
  const r = checkConfig({ config: file("l.conf", "[eventlistener:exit]\ncommand=kill.py\nevents=PROCESS_STATE_FATAL\n[supervisord]\npidfile=/run/s.pid\n") }, {});
  assert.equal(r.report.split("\n"), [
    "listener-pool exit: events=PROCESS_STATE_FATAL buffer_size=10 priority=-1",
    `listener exit: command="kill.py" user=- autostart=true autorestart=unexpected priority=999 group=exit stdout=protocol stderr=corral-stderr`,
    "pidfile /run/s.pid",
    "no programs yet",
    "",
  ]);
});

test("warnings are listed and exit 0; --strict makes them one error line and exit 2", () => {
  const conf = file("w.conf", "[program:web]\ncommand=web\nusername=www\n");
  const warning = `${conf}:3: [program:web] username: ignored, as supervisord does`;
  assert.ok(checkConfig({ config: conf }, {}).report.endsWith(`warning: ${warning}\n`));
  const strict = checkConfig({ config: conf, strict: true }, {});
  assert.equal([strict.code, strict.error], [2, `--strict: 1 warning in ${conf}, the first: ${warning}`]);
});

test("a config error is the one-line error and exit 2; no --config is a usage error", () => {
  const r = checkConfig({ config: file("e.conf", "[program:web]\ncommand=web\nstartsecs=soon\n") }, {});
  assert.equal([r.code, r.error, r.report], [2, `${join(dir, "e.conf")}:3: [program:web] startsecs: expected an integer, got "soon"`, ""]);
  assert.is(checkConfig({}, {}).error, "--check: expected --config FILE|DIR to check");
});

test("commands are shown as a shell would need them typed", () => {
  assert.is(shellLine(["nginx", "-g", "daemon off;", "it's"]), `nginx -g 'daemon off;' 'it'\\''s'`);
});

test.run();
