// Flag parsing and validation at the boundary.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { commandStart, parseFlags } from "../../src/modes/flags.ts";
import { initOptions, parseRewrite } from "../../src/modes/options.ts";
import { parseSignal } from "../../src/os/signals.ts";

test("the command starts at the first non-option or after --", () => {
  assert.is(commandStart(["echo", "-v"]), 0);
  assert.is(commandStart(["-v", "-t", "5", "sleep", "1"]), 3);
  assert.is(commandStart(["--grace=5", "--", "-x"]), 1);
  assert.is(commandStart(["-r", "TERM:INT", "-vv", "ls"]), 3);
});

test("repeated and counted flags collect, env vars fill what the command line leaves", () => {
  const f = parseFlags(["-vv", "-r", "1:2", "--rewrite", "USR1:0"], { CORRAL_GRACE: "3", CORRAL_SINGLE_CHILD: "1" });
  assert.is(f["verbose"], 2);
  assert.equal(f["rewrite"], ["1:2", "USR1:0"]);
  assert.is(f["grace"], "3");
  assert.is(f.singleChild, true);
  const o = initOptions(f, ["true"]);
  assert.is(o.graceMs, 3000);
  assert.equal([...o.rewrites], [[1, 2], [10, 0]]);
});

test("signal names parse with or without SIG, in any case, and as numbers", () => {
  assert.is(parseSignal("SIGTERM"), 15);
  assert.is(parseSignal("usr1"), 10);
  assert.is(parseSignal("9"), 9);
  assert.is(parseSignal("RTMIN+3"), 37);
  assert.is(parseSignal("RTMAX"), 64);
  assert.is(parseSignal("0"), undefined);
  assert.is(parseSignal("0", true), 0);
  assert.is(parseSignal("65"), undefined);
  assert.is(parseSignal("BOGUS"), undefined);
  assert.equal(parseRewrite("TERM:0"), [15, 0]);
});

test("a flag missing its value is an error naming it", () => {
  assert.throws(() => parseFlags(["--grace"], {}), /--grace: expected SECONDS/);
});

test("a long value flag takes the next argument even when it starts with a dash", () => {
  const f = parseFlags(["--post-start-arg", "-c", "--post-start-arg", "echo hi", "--grace", "1"], {});
  assert.equal(f.postStartArg, ["-c", "echo hi"]);
  assert.is(f["grace"], "1");
});

test("a short value flag takes the next argument even when it starts with a dash, also last in a cluster", () => {
  assert.is(parseFlags(["-t", "-1"], {}).grace, "-1");
  const f = parseFlags(["-vt", "5", "-r", "15:2", "--rewrite", "2:15"], {});
  assert.equal([f.verbose, f.grace, f.rewrite], [1, "5", ["15:2", "2:15"]]);
  assert.throws(() => initOptions(parseFlags(["-t", "-1"], {}), ["true"]), /--grace: expected a number of seconds, got "-1"/);
});

test("a bad value is named before a missing command", () => {
  assert.throws(() => initOptions(parseFlags(["-t", "abc"], {}), []), /--grace: expected a number of seconds, got "abc"/);
  assert.throws(() => initOptions(parseFlags(["-t", "5"], {}), []), /no command given/);
});

test("a CORRAL_* switch says on or off in so many words; anything else is an error naming it", () => {
  assert.is(parseFlags([], { CORRAL_SINGLE_CHILD: "yes" }).singleChild, true);
  assert.is(parseFlags([], { CORRAL_SINGLE_CHILD: "off" }).singleChild, false);
  assert.is(parseFlags([], { CORRAL_SINGLE_CHILD: "" }).singleChild, false);
  assert.throws(() => parseFlags([], { CORRAL_SINGLE_CHILD: "banana" }), /^CORRAL_SINGLE_CHILD: expected 1, true, yes or on \(0, false, no, off or empty for off\), got "banana"$/);
});

test.run();
