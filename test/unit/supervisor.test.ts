// The supervisor's state machines, driven by events with a fake clock: no processes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Supervisor, backoffMs, type Action, type Ends } from "../../src/core/supervisor.ts";
import type { ProgramSpec } from "../../src/config/types.ts";

function spec(name: string, over: Partial<ProgramSpec> = {}): ProgramSpec {
  return {
    name, group: name, command: ["true"], priority: 999, autostart: true, autorestart: "unexpected",
    startsecs: 1, startretries: 3, exitcodes: [0], stopsignal: 15, stopwaitsecs: 10, environment: {},
    redirectStderr: false, stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, dependsOn: [], origin: "test", ...over,
  };
}
const sup = (...programs: Array<[ProgramSpec, Ends?]>) => new Supervisor(programs.map(([s, ends]) => ({ spec: s, ends: ends ?? "never" })));
const of = <T extends Action["type"]>(actions: Action[], type: T) => actions.filter((a): a is Extract<Action, { type: T }> => a.type === type);

test("backoff doubles from 1 s and is capped at 30 s", () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7].map(backoffMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test("exits before startsecs back off, then go FATAL after startretries", () => {
  const s = sup([spec("a", { startretries: 2 })]);
  assert.equal(of(s.start(0), "spawn"), [{ type: "spawn", name: "a" }]);
  let t = 0, pid = 10;
  const delays: number[] = [];
  for (;;) {
    s.handle({ type: "spawned", name: "a", pid }, t);
    const acts = s.handle({ type: "exited", name: "a", pid, code: 1, signal: 0 }, t += 100);
    const timer = of(acts, "set-timer")[0];
    if (!timer) break;
    delays.push(timer.ms);
    assert.equal(of(s.handle({ type: "timer", name: "a", kind: "backoff" }, t += timer.ms), "spawn").length, 1);
    pid++;
  }
  assert.equal(delays, [1000, 2000]);
  assert.is(s.statusOf("a")!.state, "FATAL");
});

test("staying up for startsecs makes a program RUNNING and resets its retries", () => {
  const s = sup([spec("a")]);
  s.start(0);
  s.handle({ type: "spawned", name: "a", pid: 5 }, 0);
  s.handle({ type: "exited", name: "a", pid: 5, code: 1, signal: 0 }, 10);
  s.handle({ type: "timer", name: "a", kind: "backoff" }, 1010);
  s.handle({ type: "spawned", name: "a", pid: 6 }, 1010);
  s.handle({ type: "timer", name: "a", kind: "startsecs" }, 2010);
  assert.is(s.statusOf("a")!.state, "RUNNING");
  assert.is(s.statusOf("a")!.retries, 0);
});

test("a critical program's exit shuts everything down in reverse priority and ends with its code", () => {
  const s = sup([spec("db", { priority: 1, startsecs: 0 })], [spec("web", { priority: 2, startsecs: 0 })], [spec("job", { priority: 3, startsecs: 0 }), "always"]);
  s.start(0);
  ["db", "web", "job"].forEach((n, i) => s.handle({ type: "spawned", name: n, pid: 10 + i }, 0));
  const acts = s.handle({ type: "exited", name: "job", pid: 12, code: 9, signal: 0 }, 5);
  assert.equal(of(acts, "signal").map((a) => a.name), ["web"], "highest priority first");
  const next = s.handle({ type: "exited", name: "web", pid: 11, code: -1, signal: 15 }, 6);
  assert.equal(of(next, "signal").map((a) => a.name), ["db"]);
  const done = s.handle({ type: "exited", name: "db", pid: 10, code: -1, signal: 15 }, 7);
  assert.equal(of(done, "done"), [{ type: "done", code: 9 }]);
});

test("a [group:x]'s priority orders its members before their own priority, at start and at shutdown", () => {
  const s = sup([spec("site:web", { group: "site", priority: 1, groupPriority: 50, startsecs: 0 })],
    [spec("db", { priority: 10, startsecs: 0 })], [spec("site:worker", { group: "site", priority: 2, groupPriority: 50, startsecs: 0 })]);
  assert.equal(s.order, ["db", "site:web", "site:worker"]);
  s.start(0);
  s.order.forEach((n, i) => s.handle({ type: "spawned", name: n, pid: 10 + i }, 0));
  assert.equal(of(s.handle({ type: "shutdown" }, 1), "signal").map((a) => a.name), ["site:worker"]);
  assert.equal(of(s.handle({ type: "exited", name: "site:worker", pid: 12, code: 0, signal: 0 }, 2), "signal").map((a) => a.name), ["site:web"]);
  assert.equal(of(s.handle({ type: "exited", name: "site:web", pid: 11, code: 0, signal: 0 }, 3), "signal").map((a) => a.name), ["db"]);
});

test("container-run's main: exit 0 stays EXITED, a failure ends the run with its code", () => {
  const s = sup([spec("m", { startsecs: 0, autorestart: "false" }), "on-failure"]);
  s.start(0);
  s.handle({ type: "spawned", name: "m", pid: 3 }, 0);
  assert.equal(of(s.handle({ type: "exited", name: "m", pid: 3, code: 0, signal: 0 }, 1), "done"), []);
  assert.is(s.statusOf("m")!.state, "EXITED");
  s.handle({ type: "command", name: "m", command: "START" }, 2);
  s.handle({ type: "spawned", name: "m", pid: 4 }, 2);
  assert.equal(of(s.handle({ type: "exited", name: "m", pid: 4, code: 3, signal: 0 }, 3), "done"), [{ type: "done", code: 3 }]);
});

test("START during STOPPING starts a new instance only after the old one exited", () => {
  const s = sup([spec("m", { startsecs: 0 })]);
  s.start(0);
  s.handle({ type: "spawned", name: "m", pid: 3 }, 0);
  assert.equal(of(s.handle({ type: "command", name: "m", command: "STOP" }, 1), "signal")[0]?.signo, 15);
  assert.equal(of(s.handle({ type: "command", name: "m", command: "START" }, 2), "spawn"), []);
  assert.equal(of(s.handle({ type: "timer", name: "m", kind: "stopwait" }, 10_002), "signal")[0]?.signo, 9);
  assert.equal(of(s.handle({ type: "exited", name: "m", pid: 3, code: -1, signal: 9 }, 10_003), "spawn").length, 1);
});

test("STOP when stopped and START when running change nothing", () => {
  const s = sup([spec("m", { startsecs: 0 })]);
  s.start(0);
  s.handle({ type: "spawned", name: "m", pid: 3 }, 0);
  assert.equal(s.handle({ type: "command", name: "m", command: "START" }, 1), []);
  s.handle({ type: "command", name: "m", command: "STOP" }, 2);
  s.handle({ type: "exited", name: "m", pid: 3, code: 0, signal: 0 }, 3);
  assert.equal(s.handle({ type: "command", name: "m", command: "STOP" }, 4), []);
});

test("a program waits for its dependency to be ready, and a clean exit elsewhere starts nothing", () => {
  const s = sup([spec("app", { dependsOn: ["db"], startsecs: 0 })], [spec("db", { ready: "tcp:127.0.0.1:5432", startsecs: 0, autorestart: "false" })], [spec("once", { startsecs: 0, autorestart: "false" })]);
  assert.equal(of(s.start(0), "spawn").map((a) => a.name), ["db", "once"]);
  assert.equal(of(s.handle({ type: "spawned", name: "db", pid: 7 }, 0), "probe"), [{ type: "probe", name: "db" }]);
  s.handle({ type: "spawned", name: "once", pid: 8 }, 0);
  s.handle({ type: "exited", name: "once", pid: 8, code: 0, signal: 0 }, 1);
  assert.equal(of(s.handle({ type: "ready", name: "db" }, 2), "spawn").map((a) => a.name), ["app"]);
});

test("a program that keeps exiting at once backs off even with startsecs=0", () => {
  const s = sup([spec("spin", { startsecs: 0, autorestart: "true" })]);
  s.start(0);
  const delays: number[] = [];
  let t = 0;
  for (let pid = 1; pid <= 4; pid++) {
    s.handle({ type: "spawned", name: "spin", pid }, t);
    const timer = of(s.handle({ type: "exited", name: "spin", pid, code: 1, signal: 0 }, t += 10), "set-timer")[0];
    delays.push(timer!.ms);
    s.handle({ type: "timer", name: "spin", kind: "backoff" }, t += timer!.ms);
  }
  assert.equal(delays, [1000, 2000, 4000, 8000]);
  s.handle({ type: "spawned", name: "spin", pid: 9 }, t);
  assert.equal(of(s.handle({ type: "exited", name: "spin", pid: 9, code: 1, signal: 0 }, t + 5000), "spawn").length, 1, "a long run restarts at once");
});


test("a reload that only moved a section (its origin changed) leaves the program alone: a hand-started autostart=false one stays up", () => {
  const s = sup([spec("manual", { autostart: false, origin: "a.conf:9" })]);
  s.start(0);
  s.handle({ type: "command", name: "manual", command: "START" }, 0);
  s.handle({ type: "spawned", name: "manual", pid: 7 }, 0);
  s.handle({ type: "timer", name: "manual", kind: "startsecs" }, 1000);
  const acts = s.reconfigure([{ spec: spec("manual", { autostart: false, origin: "a.conf:2" }), ends: "never" }], 2000);
  assert.equal(of(acts, "signal"), []);
  assert.is(s.statusOf("manual")!.state, "RUNNING");
  assert.is(s.statusOf("manual")!.wanted, true);
});

test.run();
