// The listener pool state machine: READY / event / RESULT as supervisord speaks it, buffering
// with the oldest dropped, FAIL re-sent, garbage answered by one warning and a restart.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { processStateEvent, tickEvent } from "../../src/events/codec.ts";
import { EventRouter, ListenerPool, type PoolAction } from "../../src/events/pool.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const tick = (when: number) => ({ ...tickEvent(5, when), serial: when });

/** A pool with listeners that are spawned and RUNNING. */
function pool(bufferSize = 10, events = ["TICK_5"], listeners = ["l"]): ListenerPool {
  const p = new ListenerPool({ name: "watch", events, bufferSize });
  for (const l of listeners) {
    p.spawned(l);
    p.running(l);
  }
  return p;
}
const sends = (actions: PoolAction[]) => actions.filter((a) => a.type === "send").map((a) => a.type === "send" && `${a.listener}:${a.serial}`);

test("READY then an event: the listener is sent the header and payload and becomes BUSY", () => {
  const p = pool();
  assert.equal(p.output("l", bytes("READY\n")), []);
  assert.is(p.stateOf("l"), "READY");
  const actions = p.publish(tick(5));
  assert.equal(actions, [{ type: "send", listener: "l", serial: 5, data: "ver:3.0 server:supervisor serial:5 pool:watch poolserial:0 eventname:TICK_5 len:6\nwhen:5" }]);
  assert.is(p.stateOf("l"), "BUSY");
});

test("events that arrive before READY wait in the buffer and go out on READY, oldest first, one at a time", () => {
  const p = pool();
  p.publish(tick(1));
  p.publish(tick(2));
  assert.equal(sends(p.output("l", bytes("READY\n"))), ["l:1"]);
  assert.equal(sends(p.output("l", bytes("RESULT 2\nOK"))), [], "acknowledged: waits for the next READY");
  assert.is(p.stateOf("l"), "ACKNOWLEDGED");
  assert.equal(sends(p.output("l", bytes("READY\n"))), ["l:2"]);
  assert.is(p.buffer.length, 0);
});

test("pool serials count per pool from 0 while the global serial is the event's", () => {
  const p = pool();
  p.publish(tick(40));
  p.publish(tick(41));
  p.output("l", bytes("READY\n"));
  const [first] = p.output("l", bytes("RESULT 2\nOKREADY\n"));
  assert.ok(first?.type === "send" && first.data.startsWith("ver:3.0 server:supervisor serial:41 pool:watch poolserial:1 "), JSON.stringify(first));
});

test("RESULT FAIL puts the event back at the head of the buffer and it is sent again on the next READY", () => {
  const p = pool();
  p.publish(tick(1));
  p.publish(tick(2));
  p.output("l", bytes("READY\n"));
  assert.equal(p.output("l", bytes("RESULT 4\nFAIL")), []);
  assert.equal(p.buffer.map((e) => e.serial), [1, 2]);
  assert.equal(sends(p.output("l", bytes("READY\n"))), ["l:1"]);
});

test("with a result_handler corral cannot run, any RESULT acknowledges: a listener that echoes the event (supervisor_stdout) gets each once", () => {
  const p = new ListenerPool({ name: "watch", events: ["TICK_5"], bufferSize: 10, anyResultAcknowledges: true });
  p.spawned("l");
  p.running("l");
  p.publish(tick(1));
  p.publish(tick(2));
  assert.equal(sends(p.output("l", bytes("READY\n"))), ["l:1"]);
  assert.equal(sends(p.output("l", bytes("RESULT 6\nwhen:1READY\n"))), ["l:2"], "not sent again");
  assert.equal(sends(p.output("l", bytes("RESULT 4\nFAILREADY\n"))), []);
  assert.is(p.buffer.length, 0);
});

test("the byte stream may arrive split anywhere, and several tokens may come in one chunk", () => {
  const p = pool();
  p.publish(tick(1));
  p.publish(tick(2));
  const all: PoolAction[] = [];
  for (const c of "READY\nRESULT 2\nOKREADY\n") all.push(...p.output("l", bytes(c)));
  assert.equal(sends(all), ["l:1", "l:2"]);
  const q = pool();
  q.publish(tick(1));
  q.publish(tick(2));
  assert.equal(sends(q.output("l", bytes("READY\n"))), ["l:1"]);
  assert.equal(sends(q.output("l", bytes("RESULT 2\nOKREADY\n"))), ["l:2"], "the answer and the next READY in one chunk");
});

test("a RESULT payload is read by its byte length, so it may hold newlines", () => {
  const p = pool();
  p.publish(tick(1));
  p.output("l", bytes("READY\n"));
  assert.equal(p.output("l", bytes("RESULT 4\nO\nK\n")), []);
  assert.equal(p.buffer.map((e) => e.serial), [1], "not OK: re-buffered");
  assert.is(p.stateOf("l"), "ACKNOWLEDGED");
});

test("beyond buffer_size the oldest event is dropped, counted, and warned about", () => {
  const p = pool(3);
  const warnings = [1, 2, 3, 4, 5].flatMap((n) => p.publish(tick(n))).filter((a) => a.type === "warn");
  assert.equal(p.buffer.map((e) => e.serial), [3, 4, 5]);
  assert.is(p.dropped, 2);
  assert.equal(warnings.map((w) => w.type === "warn" && w.message), [
    "pool watch event buffer overflowed (buffer_size=3), discarding event 1; 1 dropped so far",
    "pool watch event buffer overflowed (buffer_size=3), discarding event 2; 2 dropped so far",
  ]);
});

test("1000 events against a slow listener lose exactly those beyond buffer_size, all counted", () => {
  const p = pool(10);
  p.output("l", bytes("READY\n"));
  const sent: number[] = [];
  for (let n = 0; n < 1000; n++) {
    for (const a of p.publish(tick(n))) if (a.type === "send") sent.push(a.serial);
    if (n % 100 === 99) { // the listener answers now and then
      for (const a of p.output("l", bytes("RESULT 2\nOKREADY\n"))) if (a.type === "send") sent.push(a.serial);
    }
  }
  while (p.stateOf("l") === "BUSY") for (const a of p.output("l", bytes("RESULT 2\nOKREADY\n"))) if (a.type === "send") sent.push(a.serial);
  assert.is(sent.length + p.dropped, 1000, "every event is either sent or counted as dropped");
  // 0 is sent at once; 1-99 leave the last 10 (89 dropped); each answer takes one, so each later
  // block of 100 meets 9 buffered and drops 99; the final 9 are drained.
  assert.equal([p.dropped, sent.length], [89 + 9 * 99, 1 + 10 + 9]);
  assert.equal(sent.slice(0, 3), [0, 90, 190], "the newest survive, in order");
});

test("a listener that writes garbage instead of READY gets one restart with a warning and no more events", () => {
  const p = pool();
  const actions = p.output("l", bytes("hello world\n"));
  assert.equal(actions, [{ type: "restart", listener: "l", warning: 'l: wrote "hello world\\n" instead of READY (event listener protocol: READY, then RESULT N)' }]);
  assert.is(p.stateOf("l"), "UNKNOWN");
  assert.equal(p.output("l", bytes("READY\n")), [], "ignored until it is spawned again");
  assert.equal(sends(p.publish(tick(1))), []);
  p.spawned("l");
  p.running("l");
  assert.equal(sends(p.output("l", bytes("READY\n"))), ["l:1"]);
});

test("garbage is recognised as soon as it cannot become READY or RESULT N, without waiting for a newline", () => {
  assert.is(pool().output("l", bytes("X"))[0]?.type, "restart");
  assert.equal(pool().output("l", bytes("REA")), [], "may still become READY");
  const p = pool();
  p.publish(tick(1));
  p.output("l", bytes("READY\n"));
  assert.equal(p.output("l", bytes("RESULT 1")), [], "may still become RESULT 12");
  assert.is(p.output("l", bytes("x"))[0]?.type, "restart");
  assert.equal(p.buffer.map((e) => e.serial), [1], "its event goes back to the buffer");
});

test("output while READY (before any event) is a protocol violation, as in supervisord", () => {
  const p = pool();
  p.output("l", bytes("READY\n"));
  assert.is(p.output("l", bytes("READY\n"))[0]?.type, "restart");
});

test("a listener that dies while BUSY gives its event back; a listener not yet RUNNING gets none", () => {
  const p = pool();
  p.publish(tick(1));
  p.output("l", bytes("READY\n"));
  assert.equal(p.exited("l"), []);
  assert.equal(p.buffer.map((e) => e.serial), [1]);
  p.spawned("l");
  assert.equal(p.output("l", bytes("READY\n")), [], "STARTING: supervisord sends to RUNNING listeners only");
  assert.equal(sends(p.running("l")), ["l:1"]);
});

test("a STOPPING listener gets no new events, but the RESULT of the one it holds still counts", () => {
  const p = pool(10, ["TICK_5"], ["a", "b"]);
  p.output("a", bytes("READY\n"));
  assert.equal(sends(p.publish(tick(5))), ["a:5"]);
  p.stopping("a");
  assert.equal(p.output("a", bytes("RESULT 2\nOKREADY\n")), []);
  assert.equal(p.publish(tick(10)), [], "buffered: a is stopping, b not READY");
  assert.equal(p.buffer.map((e) => e.serial), [10]);
  assert.equal(sends(p.output("b", bytes("READY\n"))), ["b:10"]);
});

test("a reload's new buffer_size and events= apply at once; a smaller buffer drops its oldest, counted", () => {
  const p = pool(10, ["TICK_5"], []);
  for (const t of [5, 10, 15]) p.publish(tick(t));
  const actions = p.update({ name: "watch", events: ["PROCESS_STATE"], bufferSize: 1 });
  assert.equal(actions.map((a) => a.type), ["warn", "warn"]);
  assert.is(p.dropped, 2);
  assert.equal(p.buffer.map((e) => e.serial), [15]);
  assert.not.ok(p.wants("TICK_5"));
  assert.ok(p.wants("PROCESS_STATE_RUNNING"));
});

test("with two listeners an event goes to whichever is READY, and both work in parallel", () => {
  const p = pool(10, ["TICK_5"], ["a", "b"]);
  p.output("a", bytes("READY\n"));
  p.output("b", bytes("READY\n"));
  assert.equal(sends([...p.publish(tick(1)), ...p.publish(tick(2)), ...p.publish(tick(3))]), ["a:1", "b:2"]);
  assert.equal(sends(p.output("b", bytes("RESULT 2\nOKREADY\n"))), ["b:3"]);
});

test("the router numbers each event once and gives it to the pools that subscribe, parent names included", () => {
  const states = pool(10, ["PROCESS_STATE"], ["s"]);
  const ticks = pool(10, ["TICK"], ["t"]);
  const router = new EventRouter([states, ticks]);
  states.output("s", bytes("READY\n"));
  ticks.output("t", bytes("READY\n"));
  assert.equal(router.publish(tickEvent(5, 5)).map((a) => a.type === "send" && [a.listener, a.serial]), [["t", 0]]);
  const running = processStateEvent({ to: "RUNNING", from: "STARTING", processName: "web", groupName: "web", pid: 7 });
  assert.equal(router.publish(running).map((a) => a.type === "send" && [a.listener, a.serial]), [["s", 1]]);
  assert.ok(router.wants("PROCESS_STATE_FATAL"));
  assert.not.ok(router.wants("PROCESS_LOG_STDOUT"));
  assert.equal(router.publish({ name: "PROCESS_LOG_STDOUT", payload: "" }), [], "nobody subscribes: not numbered");
  assert.equal(router.publish(tickEvent(5, 10)).map((a) => a.type === "send" && a.serial), []);
  assert.equal(ticks.buffer.map((e) => e.serial), [2]);
});

test.run();
