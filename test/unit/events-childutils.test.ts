// The listener pool against a real listener written with supervisor.childutils (Debian's
// supervisor package): READY, events with their headers, RESULT OK and FAIL, non-ASCII payloads.
import { spawn } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { processLogEvent, processStateEvent, tickEvent } from "../../src/events/codec.ts";
import { EventRouter, ListenerPool, type PoolAction } from "../../src/events/pool.ts";

// Logs each event on stderr; answers FAIL to every third one, OK otherwise.
const LISTENER = `
import sys
from supervisor import childutils
n = 0
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    n += 1
    sys.stderr.write("%s serial:%s poolserial:%s %s\\n" % (headers["eventname"], headers["serial"], headers["poolserial"], payload.replace("\\n", "|")))
    sys.stderr.flush()
    (childutils.listener.fail if n % 3 == 0 else childutils.listener.ok)(sys.stdout)
`;

test("a supervisor.childutils listener gets every event, FAIL is re-sent, and len fits its reader", async () => {
  const child = spawn("/usr/bin/python3", ["-c", LISTENER], { stdio: ["pipe", "pipe", "pipe"] });
  const started = await new Promise<boolean>((resolve) => {
    child.on("spawn", () => resolve(true));
    child.on("error", () => resolve(false));
  });
  if (!started) return void console.log("skipped: no /usr/bin/python3");
  let seen = "";
  const lines = () => seen.trim().split("\n").filter(Boolean);
  child.stderr.on("data", (d) => (seen += d));
  const pool = new ListenerPool({ name: "watch", events: ["PROCESS_STATE", "TICK_5", "PROCESS_LOG"], bufferSize: 10 });
  const router = new EventRouter([pool]);
  const perform = (actions: PoolAction[]) => {
    for (const a of actions) {
      if (a.type === "send") child.stdin.write(a.data);
      else throw new Error(`unexpected ${JSON.stringify(a)}`);
    }
  };
  child.stdout.on("data", (chunk: Buffer) => perform(pool.output("l", new Uint8Array(chunk))));
  perform(pool.spawned("l"));
  perform(pool.running("l"));
  for (const name of ["db", "web", "worker"]) {
    perform(router.publish(processStateEvent({ to: "RUNNING", from: "STARTING", processName: name, groupName: name, pid: 100 })));
  }
  perform(router.publish(tickEvent(5, 1700000005)));
  perform(router.publish(processLogEvent("stdout", "web", "web", 100, "héllo wörld ✓\n")));
  const deadline = Date.now() + 10_000;
  // Seven: the sixth event gets FAIL (every third does) and comes again.
  while ((lines().length < 7 || pool.stateOf("l") !== "READY") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  child.kill();
  if (/No module named 'supervisor'/.test(seen)) return void console.log("skipped: supervisord's Python package is not installed");
  assert.equal(lines(), [
    "PROCESS_STATE_RUNNING serial:0 poolserial:0 processname:db groupname:db from_state:STARTING pid:100",
    "PROCESS_STATE_RUNNING serial:1 poolserial:1 processname:web groupname:web from_state:STARTING pid:100",
    "PROCESS_STATE_RUNNING serial:2 poolserial:2 processname:worker groupname:worker from_state:STARTING pid:100",
    "PROCESS_STATE_RUNNING serial:2 poolserial:2 processname:worker groupname:worker from_state:STARTING pid:100",
    "TICK_5 serial:3 poolserial:3 when:1700000005",
    "PROCESS_LOG_STDOUT serial:4 poolserial:4 processname:web groupname:web pid:100 channel:stdout|héllo wörld ✓|",
    "PROCESS_LOG_STDOUT serial:4 poolserial:4 processname:web groupname:web pid:100 channel:stdout|héllo wörld ✓|",
  ]);
  assert.is(pool.buffer.length, 0);
  assert.is(pool.dropped, 0);
});

test.run();
