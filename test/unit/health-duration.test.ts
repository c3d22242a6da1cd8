// Durations for --timeout and --polling-frequency, spelled as sipid (Go) spells them.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatDuration, parseDuration } from "../../src/core/duration.ts";

test("durations take units, may be compound or fractional, and 0 needs no unit", () => {
  assert.is(parseDuration("--timeout", "20s"), 20_000);
  assert.is(parseDuration("--timeout", "1m"), 60_000);
  assert.is(parseDuration("--timeout", "500ms"), 500);
  assert.is(parseDuration("--timeout", "2m30s"), 150_000);
  assert.is(parseDuration("--timeout", "1.5h"), 5_400_000);
  assert.is(parseDuration("--timeout", "1m500ms"), 60_500);
  assert.is(parseDuration("--timeout", "0"), 0);
});

test("a bare number, an unknown unit or a sign is a usage error naming the flag and value", () => {
  for (const bad of ["20", "5d", "", "-1s", "1m-", "s", "1 m", "1.s"]) {
    assert.throws(() => parseDuration("--polling-frequency", bad),
      (e: Error) => e.name === "UsageError" &&
        e.message === `--polling-frequency: expected a duration with a unit like 20s, 1m, 500ms or 2m30s, got "${bad}"`, bad);
  }
});

test("formatDuration writes what parseDuration reads", () => {
  for (const ms of [500, 1000, 20_000, 60_000, 150_000, 3_661_001]) {
    assert.is(parseDuration("x", formatDuration(ms)), ms);
  }
  assert.is(formatDuration(150_000), "2m30s");
  assert.is(formatDuration(0), "0s");
});

test.run();
