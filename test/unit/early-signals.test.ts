// The boot catches signals before the application is compiled, only for invocations that
// main.ts too treats as PID 1 or supervisor: never one that may run a subcommand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { catchesAtStart, catchEarly, firedDuringNodeStart, invocationName, CAUGHT_AT_START } from "../../src/os/early-signals.ts";
import { SUBCOMMANDS } from "../../src/commands/index.ts";
import { SUBCOMMAND_NAMES } from "../../src/commands/names.ts";
import type { Native } from "../../src/os/native.ts";
import { signalRelay } from "../../src/os/node.ts";

test("a subcommand is not caught at start, by name or as sipid; the names are SUBCOMMANDS' own", () => {
  assert.equal([...SUBCOMMAND_NAMES].sort(), Object.keys(SUBCOMMANDS).sort());
  for (const name of SUBCOMMAND_NAMES) assert.is(catchesAtStart("corral", [name, "x"], SUBCOMMAND_NAMES), false, name);
  assert.is(catchesAtStart("sipid", ["claim", "-pid", "7"], SUBCOMMAND_NAMES), false);
});

test("everything else is caught at start: flags, `--`, no arguments, a command without `--`", () => {
  for (const args of [["--", "sleep", "1"], ["-c", "/etc/supervisord.conf"], [], ["sleep", "1"], ["--", "ctl"], ["constructor"]]) {
    assert.ok(catchesAtStart("corral", args, SUBCOMMAND_NAMES), args.join(" "));
  }
  assert.ok(catchesAtStart("container-run", ["--job", "j", "--", "sleep", "1"], SUBCOMMAND_NAMES));
});

test("the invocation's name is the script's file name without .js", () => {
  assert.is(invocationName("/usr/local/bin/container-run.js"), "container-run");
  assert.is(invocationName("/opt/corral/corral.cjs"), "corral");
  assert.is(invocationName("sipid"), "sipid");
  assert.is(invocationName(undefined), "corral");
});

/** A relay that records what is installed and lets the test deliver signals; like corral.node's, it keeps its first callback. */
function fakeRelay(result = 0) {
  let deliver: ((signo: number) => void) | undefined;
  const calls: string[] = [];
  const native = {
    relaySignals(signals: number[], callback: (signo: number) => void) {
      calls.push(`relay ${signals.length}`);
      deliver ??= callback;
      return result;
    },
    forwardRealtime: (target: number) => void calls.push(`realtime ${target}`),
  } as unknown as Native;
  return { native, calls, deliver: (signo: number) => deliver?.(signo) };
}

test("signals that arrive before the application attaches are handed over in order, then later ones as they come", () => {
  const relay = fakeRelay();
  const claimed: number[][] = [];
  const early = catchEarly(relay.native, (signals) => void claimed.push([...signals]));
  assert.equal(claimed, [CAUGHT_AT_START], "claimed before the relay");
  assert.equal(relay.calls, [`relay ${CAUGHT_AT_START.length}`, "realtime 0"]);
  relay.deliver(15);
  relay.deliver(1);
  const got: number[] = [];
  early.attach((signo) => void got.push(signo));
  relay.deliver(2);
  assert.equal(got, [15, 1, 2]);
  assert.equal(early.signals, CAUGHT_AT_START);
});

test("a relay that cannot install says so by installing nothing: the application installs every signal itself", () => {
  const early = catchEarly(fakeRelay(-11).native);
  assert.equal(early.signals, []);
});

test("the application's relay takes the boot's signals, installs and claims only the others, and gets what arrived before", () => {
  const relay = fakeRelay();
  const early = catchEarly(relay.native);
  relay.deliver(15);
  const claimed: number[][] = [];
  const app = signalRelay(relay.native, early, (signals) => void claimed.push([...signals]));
  const got: string[] = [];
  app.add([15, 17], (signo) => void got.push(`feed ${signo}`));
  assert.equal(got, ["feed 15"], "held, then handed over on the first add");
  assert.equal(relay.calls.filter((c) => c.startsWith("relay")).length, 1, "nothing more installed");
  app.add([17, 62], (signo) => void got.push(`more ${signo}`));
  assert.equal(claimed, [[62]]);
  assert.equal(relay.calls.at(-1), "relay 1");
  relay.deliver(17);
  assert.equal(got, ["feed 15", "feed 17", "more 17"]);
});

test("a TERM or an INT that fired Node's own self-resetting handler is found at its default; both at the default count as none", () => {
  const at = (dfl: number[]) => ({ defaultDisposition: (signals: number[]) => signals.filter((s) => dfl.includes(s)) }) as unknown as Native;
  assert.equal(firedDuringNodeStart(at([15])), [15]);
  assert.equal(firedDuringNodeStart(at([2])), [2]);
  assert.equal(firedDuringNodeStart(at([])), []);
  assert.equal(firedDuringNodeStart(at([2, 15])), [], "a Node that catches neither");
  const relay = fakeRelay();
  const got: number[] = [];
  catchEarly(relay.native, undefined, [15]).attach((signo) => void got.push(signo));
  assert.equal(got, [15], "handed over first");
});

test.run();
