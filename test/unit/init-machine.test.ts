// The PID-1 state machine, driven with events only: no processes, no clocks.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { exitCodeFor, initialState, step, type InitEvent, type InitRules, type InitState } from "../../src/core/pid1.ts";

const rules: InitRules = { rewrites: new Map([[10, 12], [1, 0]]), remapExit: new Set([143]), graceMs: 10_000, stopsSelf: false };
const drive = (events: InitEvent[], state: InitState = initialState(), given: InitRules = rules) => {
  const actions = [];
  for (const e of events) {
    const [next, acts] = step(state, e, given);
    state = next;
    actions.push(...acts.filter((a) => a.type !== "log"));
  }
  return { state, actions };
};

test("exit code is the child's code, 128+N for signal N, remapped codes become 0", () => {
  assert.is(exitCodeFor(3, 0, new Set()), 3);
  assert.is(exitCodeFor(-1, 9, new Set()), 137);
  assert.is(exitCodeFor(-1, 15, new Set([143])), 0);
  assert.is(exitCodeFor(143, 0, new Set([143])), 0);
});

test("signals are forwarded while the command runs, rewritten or dropped as configured", () => {
  const { actions } = drive([{ type: "signal", signo: 15 }, { type: "signal", signo: 10 }, { type: "signal", signo: 1 }]);
  assert.equal(actions, [{ type: "forward", signo: 15 }, { type: "forward", signo: 12 }]);
});

test("not PID 1: a job-control stop is forwarded (rewritten as asked), then corral stops itself", () => {
  const free = { ...rules, stopsSelf: true, rewrites: new Map([[21, 15]]) };
  const { actions } = drive([{ type: "signal", signo: 20 }, { type: "signal", signo: 21 }, { type: "signal", signo: 18 }], initialState(), free);
  assert.equal(actions, [
    { type: "forward", signo: 20 }, { type: "stop-self" },
    { type: "forward", signo: 15 }, { type: "stop-self" },
    { type: "forward", signo: 18 },
  ]);
});

test("as PID 1 a job-control stop is only forwarded: PID 1 cannot stop itself", () => {
  const { actions } = drive([{ type: "signal", signo: 20 }, { type: "signal", signo: 22 }]);
  assert.equal(actions, [{ type: "forward", signo: 20 }, { type: "forward", signo: 22 }]);
});

test("the job's end sends SIGTERM to everything left and arms the grace timer", () => {
  const { state, actions } = drive([{ type: "job-done", code: 7, signal: 0 }]);
  assert.is(state.phase, "draining");
  assert.equal(actions, [{ type: "signal-all", signo: 15 }, { type: "arm-grace", ms: 10_000 }]);
});

test("corral exits with the command's code once no children are left", () => {
  const { actions } = drive([{ type: "job-done", code: -1, signal: 2 }, { type: "no-children" }]);
  assert.equal(actions.at(-1), { type: "exit", code: 130 });
});

test("an orphan's exit changes nothing", () => {
  const { state, actions } = drive([{ type: "orphan-reaped", pid: 99 }, { type: "no-children" }]);
  assert.is(state.phase, "running");
  assert.equal(actions, []);
});

test("grace expiry sends SIGKILL to everything left, then the exit waits for the reaper", () => {
  const { state, actions } = drive([{ type: "job-done", code: 0, signal: 0 }, { type: "grace-expired" }]);
  assert.is(state.phase, "killing");
  assert.equal(actions.at(-1), { type: "signal-all", signo: 9 });
});

test("a second SIGTERM during the grace period escalates to SIGKILL at once", () => {
  const { actions } = drive([{ type: "job-done", code: 0, signal: 0 }, { type: "signal", signo: 15 }]);
  assert.equal(actions.at(-1), { type: "signal-all", signo: 9 });
});

test("a late grace timer after exit does nothing", () => {
  const { actions } = drive([{ type: "job-done", code: 0, signal: 0 }, { type: "no-children" }, { type: "grace-expired" }]);
  assert.equal(actions.at(-1), { type: "exit", code: 0 });
});


test("supervised: the first SIGTERM stops the programs, a second one kills everything at once", () => {
  const supervised = { ...rules, supervised: true };
  const { state, actions } = drive([{ type: "signal", signo: 15 }, { type: "signal", signo: 2 }], initialState(), supervised);
  assert.equal(actions, [{ type: "stop-programs" }, { type: "signal-all", signo: 9 }]);
  assert.is(state.phase, "killing");
});

test("supervised: the code of a run killed at once still counts once the supervisor is done", () => {
  const supervised = { ...rules, supervised: true };
  const { actions } = drive([{ type: "signal", signo: 15 }, { type: "signal", signo: 15 },
    { type: "job-done", code: 4, signal: 0 }, { type: "no-children" }], initialState(), supervised);
  assert.equal(actions.at(-1), { type: "exit", code: 4 });
});

test("supervised with a config: SIGHUP reloads; without one it is forwarded", () => {
  const reloadable = { ...rules, rewrites: new Map(), supervised: true, reloadable: true };
  assert.equal(drive([{ type: "signal", signo: 1 }], initialState(), reloadable).actions, [{ type: "reload" }]);
  assert.equal(drive([{ type: "signal", signo: 1 }], initialState(), { ...reloadable, reloadable: false }).actions,
    [{ type: "forward", signo: 1 }]);
});

test.run();
