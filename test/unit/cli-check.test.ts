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

test("every field of every process is one `process NAME KEY=VALUE` line, in supervisord's key names", () => {
  const conf = file("a.conf", "[group:site]\nprograms=web\npriority=5\n[program:web]\ncommand=sh -c 'exec web'\nstdout_logfile=/var/log/web.log\nredirect_stderr=true\nuser=root\numask=022\nstopsignal=INT\nenvironment=A=\"x y\"\n[program:cron]\ncommand=cron -f\nautostart=false\nstdout_logfile=NONE\n");
  const r = checkConfig({ config: conf }, {});
  const web = r.report.split("\n").filter((l) => l.startsWith("process site:web "));
  assert.equal(web, [
    "section=program:web", "group=site", `command="sh -c 'exec web'"`, "priority=999", "autostart=true", "autorestart=unexpected",
    "startsecs=1", "startretries=3", "exitcodes=0", "stopsignal=INT", "stopwaitsecs=10", "stopasgroup=false", "killasgroup=false",
    "user=root", "uid=0", "directory=-", "umask=022", "serverurl=AUTO", "redirect_stderr=true", "stdout_logfile=/var/log/web.log",
    "stdout_logfile_maxbytes=52428800", "stdout_logfile_backups=10", "stdout_events_enabled=false", "stderr_events_enabled=false", `environment.A="x y"`,
  ].map((f) => `process site:web ${f}`));
  assert.match(r.report, /^process cron stdout_logfile=NONE\nprocess cron stdout_events_enabled=false\nprocess cron stderr_logfile=\/dev\/stderr$/m);
  assert.match(r.report, /^group site priority=5\ngroup site processes=site:web\ngroup cron priority=999\ngroup cron processes=cron\nsupervisord pidfile=-\n$/m);
  assert.equal([r.code, r.error], [0, undefined]);
});

test("listener pools, fcgi pools and the servers have their own lines; a password is never printed", () => {
  const r = checkConfig({ config: file("l.conf", "[eventlistener:exit]\ncommand=kill.py\nevents=PROCESS_STATE_FATAL\n[supervisord]\npidfile=/run/s.pid\n" +
    "[fcgi-program:php]\nsocket=unix:///run/php.sock\nsocket_mode=0660\ncommand=php-cgi\n[unix_http_server]\nfile=/run/s.sock\nusername=u\npassword=secret\n") }, {});
  const lines = r.report.split("\n");
  assert.ok(lines.includes("process php section=fcgi-program:php"));
  assert.equal(lines.filter((l) => /^(fcgi-program|eventlistener|supervisord|unix_http_server) /.test(l)), [
    "fcgi-program php priority=999", "fcgi-program php processes=php", "fcgi-program php socket=unix:///run/php.sock",
    "fcgi-program php socket_backlog=-", "fcgi-program php socket_mode=0660", "fcgi-program php socket_owner=-",
    "eventlistener exit priority=-1", "eventlistener exit processes=exit", "eventlistener exit events=PROCESS_STATE_FATAL",
    "eventlistener exit buffer_size=10", "eventlistener exit result_handler=supervisor.dispatchers:default_handler",
    "supervisord pidfile=/run/s.pid", "unix_http_server file=/run/s.sock", "unix_http_server chmod=0700", "unix_http_server chown=-",
    "unix_http_server username=u", `unix_http_server password="(set)"`,
  ]);
  assert.not.match(r.report, /secret/);
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
