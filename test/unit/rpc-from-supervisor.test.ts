// ProgramSpec + Status -> the control API's ProcessInfo and ConfigInfo.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseConfigText } from "../../src/config/parse.ts";
import { afterExit, configInfoOf, processInfoOf } from "../../src/rpc/from-supervisor.ts";
import type { Status } from "../../src/core/supervisor.ts";

const spec = parseConfigText("[program:web]\ncommand=nginx -g 'daemon off;'\npriority=5\nstdout_logfile=/var/log/web.log\n", "/etc/c.conf", {}).programs[0]!;
const status = (over: Partial<Status>): Status => ({
  state: "STOPPED", pid: 0, since: 0, retries: 0, startedAt: 0, quickExits: 0, restarts: 0, wanted: false, waiting: false,
  ready: false, restartAfterStop: false, ...over,
});

const NEVER = { spawnerr: "", stoppedAt: 0, exitstatus: 0 };

test("a RUNNING program maps to supervisord's codes, seconds and log paths", () => {
  const info = processInfoOf(spec, status({ state: "RUNNING", pid: 42, since: 5_000, startedAt: 4_000 }), NEVER);
  assert.equal(info, {
    name: "web", group: "web", state: 20, pid: 42, start: 4, stop: 0, exitstatus: 0, spawnerr: "",
    stdoutLogfile: "/var/log/web.log", stderrLogfile: "", groupPriority: 5, priority: 5, pending: false,
  });
});

test("an exited program reports its exit status and stop time from its last run; a waiting start is pending", () => {
  const exited = processInfoOf(spec, status({ state: "EXITED", since: 9_000, startedAt: 4_000 }), { spawnerr: "Bad exit code 3", stoppedAt: 9_000, exitstatus: 3 });
  assert.equal([exited.state, exited.stop, exited.exitstatus, exited.spawnerr], [100, 9, 3, "Bad exit code 3"]);
  assert.is(processInfoOf(spec, status({ waiting: true }), NEVER).pending, true);
  assert.is(processInfoOf(spec, status({ since: 5_000 }), NEVER).stop, 0, "never started: stop 0, as supervisord");
});

test("afterExit: supervisord's finish() rules for exitstatus and spawnerr", () => {
  assert.equal(afterExit("STOPPED", { code: -1, signal: 15 }, [0]), { exitstatus: -1 }, "stopped by a signal");
  assert.equal(afterExit("FATAL", { code: 1, signal: 0 }, [0]), { exitstatus: 0, spawnerr: "Exited too quickly (process log may have details)" });
  assert.equal(afterExit("EXITED", { code: 0, signal: 0 }, [0]), { exitstatus: 0 });
  assert.equal(afterExit("EXITED", { code: 3, signal: 0 }, [0]), { exitstatus: 3, spawnerr: "Bad exit code 3" });
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
