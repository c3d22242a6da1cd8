// container-run's post-start hook as a pure machine, driven with events and a fake clock.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CONDITION_INTERVAL_MS, CONDITION_LIMIT_MS, PostStartMachine, type PostStartAction } from "../../src/core/post-start.ts";

const quiet = (actions: PostStartAction[]) => actions.filter((a) => a.type !== "log");
const spec = { command: ["register"], condition: ["check"] };

test("without a condition the command runs at once", () => {
  const m = new PostStartMachine({ command: ["register"] });
  assert.equal(quiet(m.handle({ type: "begin" }, 0)), [{ type: "run-hook", run: 1, argv: ["register"] }]);
});

test("a failing condition is polled every 3 s until it holds, then the command runs", () => {
  const m = new PostStartMachine(spec);
  assert.equal(m.handle({ type: "begin" }, 0), [{ type: "run-hook", run: 1, argv: ["check"] }]);
  m.handle({ type: "hook-started", run: 1, pid: 50 }, 0);
  assert.equal(m.handle({ type: "hook-exited", run: 1, pid: 50, code: 1 }, 100), [{ type: "arm-poll", ms: CONDITION_INTERVAL_MS }]);
  assert.equal(m.handle({ type: "poll" }, 3100), [{ type: "run-hook", run: 1, argv: ["check"] }]);
  assert.equal(quiet(m.handle({ type: "hook-exited", run: 1, pid: 51, code: 0 }, 3200)), [{ type: "run-hook", run: 1, argv: ["register"] }]);
});

test("the condition gives up after 15 minutes with one warning", () => {
  const m = new PostStartMachine(spec);
  m.handle({ type: "begin" }, 0);
  const actions = m.handle({ type: "hook-exited", run: 1, pid: 50, code: 1 }, CONDITION_LIMIT_MS);
  assert.equal(actions.map((a) => a.type), ["log"]);
  assert.match((actions[0] as { message: string }).message, /did not succeed within 15 min/);
});

test("cancel stops the poll and sends SIGTERM to the running hook's group; its late exit changes nothing", () => {
  const m = new PostStartMachine(spec);
  m.handle({ type: "begin" }, 0);
  m.handle({ type: "hook-started", run: 1, pid: 50 }, 0);
  assert.equal(m.handle({ type: "cancel" }, 10), [{ type: "signal-group", pgid: 50, signo: 15 }]);
  assert.equal(m.handle({ type: "hook-exited", run: 1, pid: 50, code: 0 }, 20), []);
  assert.not.ok(m.running);
});

test("a new begin cancels the flow before it and numbers the next one", () => {
  const m = new PostStartMachine(spec);
  m.handle({ type: "begin" }, 0);
  m.handle({ type: "hook-exited", run: 1, pid: 50, code: 1 }, 0); // waiting for the poll
  assert.equal(m.handle({ type: "begin" }, 5), [{ type: "disarm-poll" }, { type: "run-hook", run: 2, argv: ["check"] }]);
  assert.equal(m.handle({ type: "poll" }, 3000), [], "the old poll is gone");
});

test("a command that cannot be executed is reported with 127 (not found)", () => {
  const m = new PostStartMachine({ command: ["nope"] });
  m.handle({ type: "begin" }, 0);
  const logs = m.handle({ type: "hook-failed", run: 1, errno: 2 }, 0).map((a) => (a as { message: string }).message);
  assert.equal(logs, ["post-start: nope: command not found", "post-start exited with code 127"]);
});

test.run();
