// supervisord's event wire format: headers, payloads, subscriptions and ticks, checked against
// supervisord's own events.py where it is installed.
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  encodeEvent, parseHeader, processGroupEvent, processLogEvent, processStateEvent, supervisorStateEvent, tickEvent, Ticks,
  type ProcessState,
} from "../../src/events/codec.ts";
import { EVENT_PARENTS, isEventName, subscribes } from "../../src/events/names.ts";

test("the header line is supervisord's: ver, server, serial, pool, poolserial, eventname, len, then the payload", () => {
  const text = encodeEvent({ name: "PROCESS_STATE_FATAL", payload: "processname:web groupname:web from_state:BACKOFF" }, { serial: 7, pool: "exit", poolSerial: 2 });
  assert.is(text, "ver:3.0 server:supervisor serial:7 pool:exit poolserial:2 eventname:PROCESS_STATE_FATAL len:48\nprocessname:web groupname:web from_state:BACKOFF");
  const [header] = text.split("\n");
  assert.equal(parseHeader(header!), { ver: "3.0", server: "supervisor", serial: "7", pool: "exit", poolserial: "2", eventname: "PROCESS_STATE_FATAL", len: "48" });
});

test("len counts characters, as supervisord's len() of its payload string does", () => {
  const text = encodeEvent(processLogEvent("stdout", "w", "w", 1, "héllo\n"), { serial: 0, pool: "p", poolSerial: 0 });
  assert.match(text, / len:53\n/);
});

test("each PROCESS_STATE event carries the fields supervisord sends for it", () => {
  const base = { processName: "web", groupName: "site", from: "STARTING" as ProcessState };
  const cases: [ProcessState, object, string][] = [
    ["STARTING", { tries: 0 }, "tries:0"],
    ["BACKOFF", { tries: 2 }, "tries:2"],
    ["RUNNING", { pid: 42 }, "pid:42"],
    ["STOPPING", { pid: 42 }, "pid:42"],
    ["STOPPED", { pid: 42 }, "pid:42"],
    ["EXITED", { pid: 42, expected: true }, "expected:1 pid:42"],
    ["EXITED", { pid: 42, expected: false }, "expected:0 pid:42"],
    ["FATAL", { pid: 42 }, ""],
    ["UNKNOWN", {}, ""],
  ];
  for (const [to, extra, tail] of cases) {
    const e = processStateEvent({ ...base, to, ...extra });
    assert.is(e.name, `PROCESS_STATE_${to}`);
    assert.is(e.payload, `processname:web groupname:site from_state:STARTING${tail ? ` ${tail}` : ""}`, to);
  }
});

test("log, tick, supervisor-state and group payloads are worded as supervisord words them", () => {
  assert.equal(processLogEvent("stderr", "web", "site", 9, "oops\n"), { name: "PROCESS_LOG_STDERR", payload: "processname:web groupname:site pid:9 channel:stderr\noops\n" });
  assert.equal(tickEvent(3600, 1700002800), { name: "TICK_3600", payload: "when:1700002800" });
  assert.equal(supervisorStateEvent("STOPPING"), { name: "SUPERVISOR_STATE_CHANGE_STOPPING", payload: "" });
  assert.equal(processGroupEvent("REMOVED", "site"), { name: "PROCESS_GROUP_REMOVED", payload: "groupname:site\n" });
});

test("a subscription to a parent name gets every event under it; EVENT gets everything", () => {
  assert.ok(subscribes(["PROCESS_STATE"], "PROCESS_STATE_RUNNING"));
  assert.ok(subscribes(["PROCESS_LOG"], "PROCESS_LOG_STDERR"));
  assert.ok(subscribes(["TICK"], "TICK_3600"));
  assert.ok(subscribes(["SUPERVISOR_STATE_CHANGE"], "SUPERVISOR_STATE_CHANGE_RUNNING"));
  assert.ok(subscribes(["PROCESS_GROUP"], "PROCESS_GROUP_ADDED"));
  assert.ok(subscribes(["EVENT"], "TICK_5"));
  assert.not.ok(subscribes(["TICK_60"], "TICK_5"));
  assert.not.ok(subscribes(["PROCESS_STATE_FATAL"], "PROCESS_STATE"), "a child does not get its parent");
  assert.not.ok(subscribes(["PROCESS_LOG_STDOUT"], "PROCESS_LOG_STDERR"));
  assert.ok(isEventName("PROCESS_COMMUNICATION_STDOUT"));
  assert.not.ok(isEventName("process_state"), "names are upper case");
});

test("ticks fire when a period's time slice rolls over, never at start-up, with the slice start as when", () => {
  const t = new Ticks(1_700_000_003_000);
  assert.equal(t.due(1_700_000_004_999), []);
  assert.equal(t.due(1_700_000_005_000), [{ name: "TICK_5", payload: "when:1700000005" }]);
  assert.equal(t.due(1_700_000_006_000), []);
  assert.equal(t.due(1_700_000_060_100), [{ name: "TICK_5", payload: "when:1700000060" }, { name: "TICK_60", payload: "when:1700000040" }]);
  assert.is(t.nextInMs(1_700_000_061_000), 4000);
});

// supervisord's own events.py renders the same events through a stand-in process.
const SUPERVISORD = `
import json, sys
from supervisor import events
from supervisor.states import ProcessStates
class G: pass
class P: pass
def proc(pid, backoff):
    p = P(); p.config = P(); p.config.name = "web"; p.group = G(); p.group.config = P(); p.group.config.name = "site"; p.pid = pid; p.backoff = backoff
    return p
out = []
for name in ["STARTING", "BACKOFF", "RUNNING", "STOPPING", "STOPPED", "EXITED", "FATAL", "UNKNOWN"]:
    cls = getattr(events.EventTypes, "PROCESS_STATE_" + name)
    out.append(["PROCESS_STATE_" + name, cls(proc(42, 2), ProcessStates.STARTING, expected=False).payload()])
out.append(["PROCESS_LOG_STDOUT", events.ProcessLogStdoutEvent(proc(42, 0), 42, b"hi\\n").payload()])
out.append(["TICK_60", events.Tick60Event(1700000040, None).payload()])
out.append(["PROCESS_GROUP_ADDED", events.ProcessGroupAddedEvent("site").payload()])
out.append(["SUPERVISOR_STATE_CHANGE_RUNNING", events.SupervisorRunningEvent().payload()])
out.append(["names", sorted(k for k in vars(events.EventTypes) if not k.startswith("_"))])
print(json.dumps(out))
`;

test("payloads and event names match supervisord's events.py byte for byte", () => {
  const python = spawnSync("/usr/bin/python3", ["-c", SUPERVISORD], { encoding: "utf8" });
  if (python.status !== 0) {
    console.log(`skipped: supervisord's Python package is not installed (${python.stderr.trim().split("\n").at(-1) ?? python.error})`);
    return;
  }
  const theirs = JSON.parse(python.stdout) as [string, string | string[]][];
  const states: ProcessState[] = ["STARTING", "BACKOFF", "RUNNING", "STOPPING", "STOPPED", "EXITED", "FATAL", "UNKNOWN"];
  const ours: [string, string | string[]][] = states.map((to) => {
    const e = processStateEvent({ to, from: "STARTING", processName: "web", groupName: "site", pid: 42, tries: 2, expected: false });
    return [e.name, e.payload];
  });
  for (const e of [processLogEvent("stdout", "web", "site", 42, "hi\n"), tickEvent(60, 1700000040), processGroupEvent("ADDED", "site"), supervisorStateEvent("RUNNING")]) ours.push([e.name, e.payload]);
  ours.push(["names", Object.keys(EVENT_PARENTS).sort()]);
  assert.equal(ours, theirs);
});

test.run();
