// ProgramSpec + Status -> the control API's ProcessInfo and ConfigInfo.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseConfigText } from "../../src/config/parse.ts";
import { configInfoOf, processInfoOf } from "../../src/rpc/from-supervisor.ts";
import type { Status } from "../../src/core/supervisor.ts";

const spec = parseConfigText("[program:web]\ncommand=nginx -g 'daemon off;'\npriority=5\nstdout_logfile=/var/log/web.log\n", "/etc/c.conf", {}).programs[0]!;
const status = (over: Partial<Status>): Status => ({
  state: "STOPPED", pid: 0, since: 0, retries: 0, startedAt: 0, quickExits: 0, restarts: 0, wanted: false, waiting: false,
  ready: false, restartAfterStop: false, ...over,
});

test("a RUNNING program maps to supervisord's codes, seconds and log paths", () => {
  const info = processInfoOf(spec, status({ state: "RUNNING", pid: 42, since: 5_000, startedAt: 4_000 }), "", 0);
  assert.equal(info, {
    name: "web", group: "web", state: 20, pid: 42, start: 4, stop: 0, exitstatus: 0, spawnerr: "",
    stdoutLogfile: "/var/log/web.log", stderrLogfile: "", groupPriority: 5, priority: 5, pending: false,
  });
});

test("an exited program reports its exit code and stop time; a waiting start is pending", () => {
  const exited = processInfoOf(spec, status({ state: "EXITED", since: 9_000, startedAt: 4_000, lastExit: { code: 3, signal: 0 } }), "", 0);
  assert.equal([exited.state, exited.stop, exited.exitstatus], [100, 9, 3]);
  assert.is(processInfoOf(spec, status({ waiting: true }), "", 0).pending, true);
});

test("config info carries the spec's settings", () => {
  const c = configInfoOf(spec, true);
  assert.equal([c.command, c.priority, c.autostart, c.stdoutLogfile, c.stdoutLogfileMaxbytes, c.inuse], ["nginx -g 'daemon off;'", 5, true, "/var/log/web.log", 52428800, true]);
});

test("config info says whether a program's output becomes events, as getAllConfigInfo's *_events_enabled", () => {
  assert.equal([configInfoOf(spec, true).stdoutEvents, configInfoOf(spec, true).stderrEvents], [false, false]);
  const c = configInfoOf({ ...spec, stdoutEvents: true }, true);
  assert.equal([c.stdoutEvents, c.stderrEvents], [true, false]);
});

test.run();
