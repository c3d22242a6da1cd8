// The machine with [eventlistener:x] pools, on fake time: which events listeners are sent
// (PROCESS_STATE_*, TICK_*, SUPERVISOR_STATE_CHANGE_*, PROCESS_GROUP_*), in what order, what
// a broken listener costs, and SIGQUIT as an orderly stop in config mode. No processes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Machine, type Action } from "../../src/core/machine.ts";
import { TICK_TIMER, type PoolPlan } from "../../src/core/event-hub.ts";
import type { ProgramSpec } from "../../src/config/types.ts";

const SIGQUIT = 3, SIGTERM = 15;
const bytes = (s: string) => new TextEncoder().encode(s);

function spec(name: string, over: Partial<ProgramSpec> = {}): ProgramSpec {
  return {
    name, group: name, command: ["true"], priority: 999, autostart: true, autorestart: "unexpected",
    startsecs: 0, startretries: 3, exitcodes: [0], stopsignal: 15, stopwaitsecs: 10, environment: {},
    redirectStderr: false, stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, dependsOn: [], origin: "test", ...over,
  };
}

/** The listener process `watch:l` of pool `watch` (priority -1 as the loader gives it). */
const LISTENER = spec("watch:l", { group: "watch", groupPriority: -1, startsecs: 1 });
const pool = (events: string[], bufferSize = 10): PoolPlan => ({ name: "watch", events, bufferSize, processes: ["watch:l"] });

function machine(programs: ProgramSpec[], events: string[], over: { bufferSize?: number; quitStops?: boolean } = {}): Machine<ProgramSpec> {
  return new Machine<ProgramSpec>({
    rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 10_000, stopsSelf: false, reloadable: true, quitStops: over.quitStops ?? true },
    programs: [LISTENER, ...programs].map((s) => ({ spec: s, ends: "never" as const })),
    pools: [pool(events, over.bufferSize)],
  });
}

/** Event names and payloads of the writes to listeners in `actions`. */
const sent = (actions: Action[]) => actions.filter((a) => a.type === "listener-send")
  .map((a) => a.type === "listener-send" && a.data.replace(/^ver:3\.0 server:supervisor serial:\d+ pool:watch poolserial:\d+ eventname:(\S+) len:\d+\n/, "$1 "));

/** Brings the listener up (spawned, RUNNING after its startsecs) and READY; the actions of READY. */
function listenerReady(m: Machine<ProgramSpec>, pid = 100, at = 1000): Action[] {
  m.handle({ type: "spawned", name: "watch:l", pid }, 0);
  m.handle({ type: "timer", key: "program:watch:l:startsecs" }, at);
  return m.handle({ type: "listener-output", name: "watch:l", data: bytes("READY\n") }, at);
}
const ok = (m: Machine<ProgramSpec>, now = 1000) => m.handle({ type: "listener-output", name: "watch:l", data: bytes("RESULT 2\nOKREADY\n") }, now);

test("the listener starts first; groups, RUNNING and program states wait in the buffer until it says READY", () => {
  const m = machine([spec("web")], ["PROCESS_STATE", "SUPERVISOR_STATE_CHANGE", "PROCESS_GROUP"], { bufferSize: 100 });
  const start = m.handle({ type: "start" }, 0);
  const spawns = start.filter((a) => a.type === "spawn").map((a) => a.type === "spawn" && a.name);
  assert.equal(spawns, ["watch:l", "web"]);
  assert.ok(start.some((a) => a.type === "set-timer" && a.key === TICK_TIMER && a.ms === 5005));
  m.handle({ type: "spawned", name: "web", pid: 7 }, 10);
  // A GROUP:PROCESS name's startsecs timer fires (the key holds the name's colon).
  const first = listenerReady(m);
  assert.equal(sent(first), ["PROCESS_GROUP_ADDED groupname:watch\n"]);
  const rest: (string | false)[] = [];
  for (let i = 0; i < 8; i++) rest.push(...sent(ok(m)));
  assert.equal(rest, [
    "PROCESS_GROUP_ADDED groupname:web\n",
    "SUPERVISOR_STATE_CHANGE_RUNNING ",
    "PROCESS_STATE_STARTING processname:l groupname:watch from_state:STOPPED tries:0",
    "PROCESS_STATE_STARTING processname:web groupname:web from_state:STOPPED tries:0",
    "PROCESS_STATE_RUNNING processname:web groupname:web from_state:STARTING pid:7",
    "PROCESS_STATE_RUNNING processname:l groupname:watch from_state:STARTING pid:100",
  ]);
});

test("sendRemoteCommEvent: REMOTE_COMMUNICATION with type:TYPE, a newline, then the data, to a subscribing pool only", () => {
  const m = machine([], ["REMOTE_COMMUNICATION"]);
  m.handle({ type: "start" }, 0);
  listenerReady(m);
  assert.equal(sent(m.handle({ type: "remote-communication", eventType: "deploy", data: "v2 now" }, 1500)), ["REMOTE_COMMUNICATION type:deploy\nv2 now"]);
  const quiet = machine([], ["TICK_60"]);
  quiet.handle({ type: "start" }, 0);
  listenerReady(quiet);
  assert.equal(sent(quiet.handle({ type: "remote-communication", eventType: "deploy", data: "" }, 1500)), []);
});

test("EXITED carries expected and pid, BACKOFF its tries, FATAL nothing more", () => {
  const m = machine([spec("web", { startsecs: 1, startretries: 1, autorestart: "true" })], ["PROCESS_STATE_EXITED", "PROCESS_STATE_BACKOFF", "PROCESS_STATE_FATAL"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  listenerReady(m);
  m.handle({ type: "spawned", name: "web", pid: 7 }, 1000);
  m.handle({ type: "timer", key: "program:web:startsecs" }, 2000);
  // A run of 4 s ends with an expected code: EXITED, restarted at once.
  const out = [...m.handle({ type: "exited", name: "web", pid: 7, code: 0, signal: 0, groupAlive: false }, 5000)];
  m.handle({ type: "spawned", name: "web", pid: 8 }, 5000);
  // Gone before startsecs: BACKOFF (1 try), then FATAL past startretries=1.
  out.push(...m.handle({ type: "exited", name: "web", pid: 8, code: 1, signal: 0, groupAlive: false }, 5100), ...ok(m));
  m.handle({ type: "timer", key: "program:web:backoff" }, 7000);
  m.handle({ type: "spawned", name: "web", pid: 9 }, 7000);
  out.push(...m.handle({ type: "exited", name: "web", pid: 9, code: 1, signal: 0, groupAlive: false }, 7100), ...ok(m));
  assert.equal(sent(out), [
    "PROCESS_STATE_EXITED processname:web groupname:web from_state:RUNNING expected:1 pid:7",
    "PROCESS_STATE_BACKOFF processname:web groupname:web from_state:STARTING tries:1",
    "PROCESS_STATE_FATAL processname:web groupname:web from_state:STARTING",
  ]);
});

test("TICK_5 on the loop's timer at each 5 s boundary, TICK_60 with it on the minute, none for the slice corral started in", () => {
  const m = machine([], ["TICK"]);
  // Epoch time: 1_800_000_060 s is a minute's start, not an hour's.
  const t0 = 1_800_000_058_000;
  const armed = m.handle({ type: "start" }, t0).find((a) => a.type === "set-timer" && a.key === TICK_TIMER);
  assert.equal(armed, { type: "set-timer", key: TICK_TIMER, ms: 2005 });
  listenerReady(m, 100, t0 + 1000);
  const tick = m.handle({ type: "timer", key: TICK_TIMER }, t0 + 2005);
  assert.ok(tick.some((a) => a.type === "set-timer" && a.key === TICK_TIMER && a.ms === 5000));
  const got = [...sent(tick), ...sent(ok(m, t0 + 2010)), ...sent(ok(m, t0 + 2010))];
  assert.equal(got, ["TICK_5 when:1800000060", "TICK_60 when:1800000060"]);
  const next = m.handle({ type: "timer", key: TICK_TIMER }, t0 + 7005);
  assert.equal(sent(next), ["TICK_5 when:1800000065"]);
});

test("1000 state changes while the listener is busy: the newest buffer_size are kept, every drop is one counted warning", () => {
  const names = Array.from({ length: 334 }, (_, i) => `p${i}`);
  const m = machine(names.map((n) => spec(n, { autorestart: "false" })), ["PROCESS_STATE"], { bufferSize: 10 });
  const logs: string[] = [];
  const handle = (...args: Parameters<typeof m.handle>) => {
    const out = m.handle(...args);
    for (const a of out) if (a.type === "log" && a.level === 0) logs.push(a.message);
    return out;
  };
  handle({ type: "start" }, 0);
  handle({ type: "spawned", name: "watch:l", pid: 100 }, 0);
  handle({ type: "timer", key: "program:watch:l:startsecs" }, 1000);
  handle({ type: "listener-output", name: "watch:l", data: bytes("READY\n") }, 1000); // gets the oldest and stays BUSY
  for (const [i, n] of names.entries()) {
    handle({ type: "spawned", name: n, pid: 1000 + i }, 2000);
    handle({ type: "exited", name: n, pid: 1000 + i, code: 0, signal: 0, groupAlive: false }, 4000);
  }
  // STARTING of 335 processes, the listener's RUNNING, then RUNNING and EXITED of 334.
  const published = 335 + 1 + 334 * 2;
  const drops = logs.filter((l) => l.includes("event buffer overflowed"));
  assert.is(drops.length, published - 1 - 10);
  assert.match(drops.at(-1)!, new RegExp(`; ${published - 11} dropped so far$`));
  const delivered: (string | false)[] = [];
  for (let i = 0; i < 11; i++) delivered.push(...sent(ok(m)));
  assert.is(delivered.length, 10, "the 10 newest, then nothing");
  assert.match(String(delivered.at(-1)), /^PROCESS_STATE_EXITED processname:p333 /);
});

test("garbage from a listener: one warning, the listener is stopped and started again, programs untouched", () => {
  const m = machine([spec("web")], ["PROCESS_STATE"]);
  m.handle({ type: "start" }, 0);
  m.handle({ type: "spawned", name: "web", pid: 7 }, 0);
  m.handle({ type: "spawned", name: "watch:l", pid: 100 }, 0);
  m.handle({ type: "timer", key: "program:watch:l:startsecs" }, 1000);
  const bad = m.handle({ type: "listener-output", name: "watch:l", data: bytes("hello\n") }, 5000);
  const warnings = bad.filter((a) => a.type === "log" && a.level === 0);
  assert.is(warnings.length, 1);
  assert.match(warnings[0]!.type === "log" ? warnings[0]!.message : "", /^watch:l: wrote "hello\\n" instead of READY \(event listener protocol: READY, then RESULT N\); restarting it$/);
  assert.equal(bad.filter((a) => a.type === "signal").map((a) => a.type === "signal" && a.pid), [100]);
  // More garbage from the same instance is not warned about again.
  assert.equal(m.handle({ type: "listener-output", name: "watch:l", data: bytes("more\n") }, 5010), []);
  const back = m.handle({ type: "exited", name: "watch:l", pid: 100, code: -1, signal: SIGTERM, groupAlive: false }, 5020);
  assert.equal(back.filter((a) => a.type === "spawn").map((a) => a.type === "spawn" && a.name), ["watch:l"]);
  assert.is(m.statusOf("web")!.pid, 7);
});

test("a listener that writes garbage right after each start is restarted after a growing backoff, not in a busy loop", () => {
  const m = machine([], ["PROCESS_STATE"]);
  m.handle({ type: "start" }, 0);
  let now = 0;
  const delays: number[] = [];
  for (let pid = 100; pid < 104; pid++) {
    m.handle({ type: "spawned", name: "watch:l", pid }, now);
    const bad = m.handle({ type: "listener-output", name: "watch:l", data: bytes("oops\n") }, now += 10);
    const timer = bad.find((a) => a.type === "set-timer" && a.key === "listener:watch:l");
    assert.ok(timer && timer.type === "set-timer", `run ${pid}: a delayed restart`);
    delays.push(timer.ms);
    const gone = m.handle({ type: "exited", name: "watch:l", pid, code: -1, signal: SIGTERM, groupAlive: false }, now += 10);
    assert.equal(gone.filter((a) => a.type === "spawn"), [], "not at once");
    const again = m.handle({ type: "timer", key: "listener:watch:l" }, now += timer.ms);
    assert.equal(again.filter((a) => a.type === "spawn").map((a) => a.type === "spawn" && a.name), ["watch:l"]);
  }
  assert.equal(delays, [1000, 2000, 4000, 8000]);
});

test("config mode: SIGQUIT stops every program in order and says SUPERVISOR_STATE_CHANGE_STOPPING; without quitStops it is forwarded", () => {
  const m = machine([spec("web")], ["SUPERVISOR_STATE_CHANGE_STOPPING"]);
  m.handle({ type: "start" }, 0);
  m.handle({ type: "spawned", name: "web", pid: 7 }, 0);
  listenerReady(m);
  const quit = m.handle({ type: "signal", signo: SIGQUIT }, 2000);
  assert.equal(sent(quit), ["SUPERVISOR_STATE_CHANGE_STOPPING "]);
  // web (priority 999) is stopped first; the listener (-1) last.
  assert.equal(quit.filter((a) => a.type === "signal").map((a) => a.type === "signal" && [a.pid, a.signo]), [[7, SIGTERM]]);
  const again = m.handle({ type: "signal", signo: SIGQUIT }, 2100);
  assert.equal(again.filter((a) => a.type === "signal" || a.type === "signal-all"), [], "a second SIGQUIT neither kills nor is forwarded");
  const plain = machine([spec("web")], ["TICK_5"], { quitStops: false });
  plain.handle({ type: "start" }, 0);
  plain.handle({ type: "spawned", name: "web", pid: 7 }, 0);
  assert.equal(plain.handle({ type: "signal", signo: SIGQUIT }, 10).filter((a) => a.type === "signal").map((a) => a.type === "signal" && [a.pid, a.signo]), [[7, SIGQUIT]]);
});

test("SIGHUP reload: PROCESS_GROUP_REMOVED and _ADDED for the groups that went and came", () => {
  const m = machine([spec("old")], ["PROCESS_GROUP"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  listenerReady(m);
  ok(m);
  const out = m.handle({ type: "reloaded", programs: [LISTENER, spec("new")].map((s) => ({ spec: s, ends: "never" as const })), labels: new Map(), pools: [pool(["PROCESS_GROUP"], 100)] }, 2000);
  const got = [...sent(out), ...sent(ok(m, 2000)), ...sent(ok(m, 2000))];
  assert.equal(got, ["PROCESS_GROUP_REMOVED groupname:old\n", "PROCESS_GROUP_ADDED groupname:new\n"]);
});

test("a reload that adds the first pool: its process is a listener, the tick clock starts", () => {
  const m = new Machine<ProgramSpec>({
    rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 10_000, stopsSelf: false, reloadable: true, quitStops: true },
    programs: [{ spec: spec("web"), ends: "never" }],
    pools: [],
  });
  const start = m.handle({ type: "start" }, 0);
  assert.not.ok(start.some((a) => a.type === "set-timer" && a.key === TICK_TIMER), "no pool, no ticks");
  const out = m.handle({ type: "reloaded", programs: [spec("web"), LISTENER].map((s) => ({ spec: s, ends: "never" as const })), labels: new Map(), pools: [pool(["TICK_5"])] }, 1000);
  assert.ok(m.isListener("watch:l"));
  assert.ok(out.some((a) => a.type === "spawn" && a.name === "watch:l"));
  assert.ok(out.some((a) => a.type === "set-timer" && a.key === TICK_TIMER));
});

test("a program removed by a reload still says PROCESS_STATE_STOPPING and _STOPPED with its group", () => {
  const m = machine([spec("site:old", { group: "site" })], ["PROCESS_STATE_STOPPING", "PROCESS_STATE_STOPPED"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  m.handle({ type: "spawned", name: "site:old", pid: 7 }, 0);
  listenerReady(m);
  const out = [...m.handle({ type: "reloaded", programs: [{ spec: LISTENER, ends: "never" as const }], labels: new Map(), pools: [pool(["PROCESS_STATE_STOPPING", "PROCESS_STATE_STOPPED"], 100)] }, 2000)];
  out.push(...m.handle({ type: "exited", name: "site:old", pid: 7, code: -1, signal: SIGTERM, groupAlive: false }, 2100), ...ok(m, 2100));
  assert.equal(sent(out), [
    "PROCESS_STATE_STOPPING processname:old groupname:site from_state:RUNNING pid:7",
    "PROCESS_STATE_STOPPED processname:old groupname:site from_state:STOPPING pid:7",
  ]);
});

test("program output becomes PROCESS_LOG_STDOUT/STDERR with processname, groupname, pid and channel, then the data as read", () => {
  const m = machine([spec("site:web", { group: "site" })], ["PROCESS_LOG"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  m.handle({ type: "spawned", name: "site:web", pid: 7 }, 0);
  listenerReady(m);
  const out = [
    ...m.handle({ type: "program-output", name: "site:web", pid: 7, channel: "stdout", data: bytes("GET / 200\nGET /a") }, 1100),
    ...m.handle({ type: "program-output", name: "site:web", pid: 7, channel: "stderr", data: bytes("oops\n") }, 1100),
    ...ok(m, 1100), ...ok(m, 1100),
  ];
  assert.equal(sent(out), [
    "PROCESS_LOG_STDOUT processname:web groupname:site pid:7 channel:stdout\nGET / 200\nGET /a",
    "PROCESS_LOG_STDERR processname:web groupname:site pid:7 channel:stderr\noops\n",
  ]);
});

test("PROCESS_LOG_STDOUT alone gets no stderr; a pool subscribed to neither gets nothing and nothing is numbered", () => {
  const m = machine([spec("web")], ["PROCESS_LOG_STDOUT"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  listenerReady(m);
  const err = m.handle({ type: "program-output", name: "web", pid: 7, channel: "stderr", data: bytes("oops\n") }, 1100);
  assert.equal(sent(err), []);
  const out = m.handle({ type: "program-output", name: "web", pid: 7, channel: "stdout", data: bytes("hi\n") }, 1100);
  assert.equal(out.filter((a) => a.type === "listener-send").map((a) => a.type === "listener-send" && /serial:(\d+)/.exec(a.data)![1]), ["0"]);
  const quiet = machine([spec("web")], ["PROCESS_STATE_FATAL"]);
  quiet.handle({ type: "start" }, 0);
  listenerReady(quiet);
  assert.equal(quiet.handle({ type: "program-output", name: "web", pid: 7, channel: "stdout", data: bytes("hi\n") }, 1100), []);
});

test("a read bigger than supervisord's is sent as several events, the text whole across them", () => {
  const m = machine([spec("web")], ["PROCESS_LOG_STDOUT"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  listenerReady(m);
  const text = "x".repeat(300 * 1024);
  const out = [...m.handle({ type: "program-output", name: "web", pid: 7, channel: "stdout", data: bytes(text) }, 1100), ...ok(m), ...ok(m), ...ok(m), ...ok(m)];
  const data = sent(out).map((e) => String(e).slice(String(e).indexOf("\n") + 1));
  assert.equal(data.map((d) => d.length), [65536, 65536, 65536, 65536, 45056]); // events/log-data.ts READ_BYTES
  assert.is(data.join(""), text);
});

test("output of a program a reload removed still comes with its group", () => {
  const m = machine([spec("site:old", { group: "site" })], ["PROCESS_LOG", "PROCESS_STATE_STOPPED"], { bufferSize: 100 });
  m.handle({ type: "start" }, 0);
  m.handle({ type: "spawned", name: "site:old", pid: 7 }, 0);
  listenerReady(m);
  m.handle({ type: "reloaded", programs: [{ spec: LISTENER, ends: "never" as const }], labels: new Map(), pools: [pool(["PROCESS_LOG"], 100)] }, 2000);
  const out = m.handle({ type: "program-output", name: "site:old", pid: 7, channel: "stdout", data: bytes("bye\n") }, 2050);
  assert.equal(sent(out), ["PROCESS_LOG_STDOUT processname:old groupname:site pid:7 channel:stdout\nbye\n"]);
});

test.run();
