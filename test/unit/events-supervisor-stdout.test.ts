// The supervisor-stdout plugin's event_handler, as corral prints it (source: coderanger/supervisor-stdout).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { supervisorStdoutText } from "../../src/events/supervisor-stdout.ts";
import { ListenerPool } from "../../src/events/pool.ts";

test("each data line after NAME CHANNEL | , a trailing newline giving the prefix alone, as the plugin prints", () => {
  assert.is(supervisorStdoutText("processname:web groupname:web pid:7 channel:stdout\nhi\n"), "web stdout | hi\nweb stdout | \n");
  assert.is(supervisorStdoutText("processname:w groupname:g pid:1 channel:stderr\na\nb"), "w stderr | a\nw stderr | b\n");
});

test("where the plugin raises (no newline, a header word without one ':', no processname), undefined", () => {
  assert.is(supervisorStdoutText("OK"), undefined);
  assert.is(supervisorStdoutText("processname:a:b channel:stdout\nx"), undefined);
  assert.is(supervisorStdoutText("groupname:g channel:stdout\nx"), undefined);
});

test("a pool with printsResults prints each RESULT and acknowledges it", () => {
  const pool = new ListenerPool({ name: "out", events: ["PROCESS_LOG"], bufferSize: 10, printsResults: true });
  pool.spawned("out");
  pool.running("out");
  pool.output("out", new TextEncoder().encode("READY\n"));
  const sent = pool.publish({ name: "PROCESS_LOG_STDOUT", serial: 0, payload: "processname:web groupname:web pid:7 channel:stdout\nhi\n" });
  assert.ok(sent.some((a) => a.type === "send"));
  const body = "processname:web groupname:web pid:7 channel:stdout\nhi\n";
  const actions = pool.output("out", new TextEncoder().encode(`RESULT ${body.length}\n${body}`));
  assert.equal(actions.filter((a) => a.type === "print"), [{ type: "print", text: "web stdout | hi\nweb stdout | \n" }]);
});

test.run();
