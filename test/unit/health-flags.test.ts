// Flags of the sipid-style subcommands: Go's -name spelling, strictness, last value wins.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseCommandFlags, requiredFlag } from "../../src/core/command-flags.ts";

const SPECS = [{ name: "pid", arg: "PID" }, { name: "pid-file", arg: "FILE" }, { name: "show-stacks" }];
const usageError = (message: string) => (e: Error) => e.name === "UsageError" && e.message === message;

test("-name and --name are the same flag, as in Go's flag package; = works for both", () => {
  assert.equal(parseCommandFlags(["-pid", "7", "-pid-file=/x", "-show-stacks"], SPECS),
    { help: false, pid: "7", "pid-file": "/x", "show-stacks": true });
  assert.equal(parseCommandFlags(["--pid=7", "--pid", "8", "-h"], SPECS),
    { help: true, pid: "8", "pid-file": undefined, "show-stacks": undefined });
});

test("unknown flags, missing values and stray arguments are usage errors naming them", () => {
  assert.throws(() => parseCommandFlags(["--pidfile", "x"], SPECS), usageError("unknown option --pidfile"));
  assert.throws(() => parseCommandFlags(["--pid"], SPECS), usageError("--pid: expected PID"));
  assert.throws(() => parseCommandFlags(["--pid", "1", "extra"], SPECS), usageError(`unexpected argument "extra"`));
  assert.throws(() => requiredFlag(parseCommandFlags([], SPECS), "pid-file", "FILE"), usageError("--pid-file FILE is required"));
});

test.run();
