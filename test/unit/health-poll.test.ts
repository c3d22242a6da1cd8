// The wait-until-healthy loop, with scripted probes on a fake clock: a timer moves time at once, no sleeps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pollUntilHealthy, type PollClock } from "../../src/health/poll.ts";

/** Fake time: a timer moves the clock by its delay and fires on the next microtask. */
let now = 0;
const clock: PollClock = {
  now: () => now,
  setTimer: (ms, fn) => {
    now += ms;
    queueMicrotask(fn);
    return {};
  },
};
const Date = { now: () => now };

/** A probe that answers from a script and records when it ran and with which bound. */
function scripted(answers: boolean[], delayMs = 0) {
  const calls: { at: number; boundMs: number }[] = [];
  const t0 = Date.now();
  const probe = async (boundMs: number) => {
    calls.push({ at: Date.now() - t0, boundMs });
    await new Promise((r) => clock.setTimer(Math.min(delayMs, boundMs), () => r(undefined)));
    const healthy = answers[calls.length - 1] ?? false;
    return { healthy, detail: healthy ? "healthy" : `no ${calls.length}` };
  };
  return { probe, calls };
}

test("the first probe runs at once and polling stops at the first healthy answer", async () => {
  const { probe, calls } = scripted([false, false, true]);
  const outcome = await pollUntilHealthy(probe, { timeoutMs: 10_000, periodMs: 100 }, clock);
  assert.equal(outcome, { healthy: true, attempts: 3, lastDetail: "healthy" });
  assert.ok(calls[0]!.at < 50, `first probe after ${calls[0]!.at} ms`);
  assert.ok(calls[2]!.at >= 190, `third probe after ${calls[2]!.at} ms`);
});

test("probes start one period apart until the next start would reach the deadline", async () => {
  const { probe, calls } = scripted([]);
  const t0 = Date.now();
  const outcome = await pollUntilHealthy(probe, { timeoutMs: 1000, periodMs: 300 }, clock);
  assert.equal(outcome, { healthy: false, attempts: 4, lastDetail: "no 4" }); // at 0, 300, 600, 900
  assert.ok(Date.now() - t0 < 1000, `${Date.now() - t0} ms`);
  for (const c of calls) assert.ok(c.boundMs <= 1000 - c.at + 5, `bound ${c.boundMs} at ${c.at}`);
});

test("a probe that overruns the period is followed at once, and none outlives the deadline", async () => {
  const { probe, calls } = scripted([], 250);
  const t0 = Date.now();
  const outcome = await pollUntilHealthy(probe, { timeoutMs: 600, periodMs: 100 }, clock);
  const took = Date.now() - t0;
  assert.is(outcome.attempts, 3); // 0-250, 250-500, 500-600 (cut by its bound)
  assert.ok(calls[2]!.boundMs <= 100 + 5, `last bound ${calls[2]!.boundMs}`);
  assert.ok(took >= 590 && took < 900, `${took} ms`);
});

test.run();
