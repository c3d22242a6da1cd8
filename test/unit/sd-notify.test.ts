// Issue 23's pure parts: what corral tells NOTIFY_SOCKET and when, which descriptors count as
// given, how many are passed, who inherits what, and the inherit= key.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { nextNotify, NOTHING_TOLD, statusLine, type NotifyView } from "../../src/core/sd-notify.ts";
import { notGivenReason } from "../../src/os/given-fds.ts";
import { fdCount, passedFds } from "../../src/modes/passed-fds.ts";
import { inheritedEnv } from "../../src/modes/spawn-spec.ts";
import { helperSpec } from "../../src/core/env.ts";
import { parseConfigText } from "../../src/config/parse.ts";
import type { FdFacts } from "../../src/os/types.ts";
import { FakeOs } from "../fakes/os.ts";

const view = (name: string, state: string, ready = state === "RUNNING", autostart = true): NotifyView => ({ name, autostart, state, ready });

test("READY=1 once every autostart program is ready (not before), once; STATUS only when it changes", () => {
  let [told, message] = nextNotify(NOTHING_TOLD, [view("web", "RUNNING"), view("db", "STARTING")], false);
  assert.is(message, "STATUS=1/2 running; waiting for db (STARTING)");
  [told, message] = nextNotify(told, [view("web", "RUNNING"), view("db", "RUNNING", false)], false);
  assert.is(message, "STATUS=2/2 running; waiting for db (not ready yet)");
  [told, message] = nextNotify(told, [view("web", "RUNNING"), view("db", "RUNNING", false)], false);
  assert.is(message, undefined);
  [told, message] = nextNotify(told, [view("web", "RUNNING"), view("db", "RUNNING"), view("manual", "STOPPED", false, false)], false, 42);
  assert.is(message, "READY=1\nMAINPID=42\nSTATUS=2/3 running");
  [told, message] = nextNotify(told, [view("web", "RUNNING"), view("db", "BACKOFF", false)], false, 42);
  assert.is(message, "STATUS=1/2 running; waiting for db (BACKOFF)", "READY is said once");
  [told, message] = nextNotify(told, [], true);
  assert.is(message, "STOPPING=1\nSTATUS=stopping");
  assert.is(nextNotify(told, [], true)[1], undefined);
  assert.is(nextNotify(told, [view("web", "RUNNING")], false)[1], undefined, "nothing after STOPPING");
});

test("no programs: ready at once", () => {
  assert.is(nextNotify(NOTHING_TOLD, [], false)[1], "READY=1\nSTATUS=0/0 running");
  assert.is(statusLine([view("a", "RUNNING")]), "1/1 running");
});

const facts = (target: string, closeOnExec = true, sameTarget = 0): FdFacts => ({ target, closeOnExec, sameTarget });

test("a descriptor is the runtime's own when it is an anon inode, on Node one end of a pipe corral holds both of, on Deno close-on-exec", () => {
  assert.is(notGivenReason(3, undefined, "node"), "is not open");
  assert.match(notGivenReason(3, facts("anon_inode:[eventpoll]"), "node")!, /node's own/);
  assert.match(notGivenReason(4, facts("pipe:[7]", true, 1), "node")!, /holds pipe:\[7\], node's own/);
  assert.is(notGivenReason(3, facts("socket:[9]"), "node"), undefined, "Node marks inherited fds close-on-exec");
  assert.is(notGivenReason(3, facts("pipe:[7]"), "node"), undefined, "one end alone was passed");
  assert.match(notGivenReason(3, facts("socket:[9]"), "deno")!, /deno's own/);
  assert.is(notGivenReason(3, facts("socket:[9]", false), "deno"), undefined);
});

test("LISTEN_FDS counts when LISTEN_PID is corral's or unset; --preserve-fds adds to it; bad counts name their source", () => {
  const os = new FakeOs();
  os.pid = 7;
  os.fdFacts = () => facts("socket:[1]", false);
  assert.is(passedFds(os, undefined), undefined);
  os.env = { LISTEN_FDS: "2" };
  assert.equal(passedFds(os, undefined), { count: 2, listenPid: true });
  os.env = { LISTEN_FDS: "2", LISTEN_PID: "7" };
  assert.equal(passedFds(os, "1"), { count: 3, listenPid: true });
  os.env = { LISTEN_FDS: "2", LISTEN_PID: "8" };
  assert.equal(passedFds(os, "1"), { count: 1, listenPid: false });
  os.env = { LISTEN_FDS: "two" };
  assert.throws(() => passedFds(os, undefined), /LISTEN_FDS: expected a number of descriptors, got "two"/);
  assert.throws(() => fdCount("--preserve-fds", "-1"), /--preserve-fds: expected a number of descriptors/);
  os.env = {};
  os.fdFacts = (fd) => (fd === 3 ? facts("socket:[1]", false) : undefined);
  assert.throws(() => passedFds(os, "2"), /--preserve-fds 2: expected fds 3 to 4 to be open when corral starts, but fd 4 is not open/);
});

test("inherit=: NOTIFY_SOCKET and LISTEN_* only to the programs that name them; the key takes a list of the two", () => {
  const parse = (body: string) => parseConfigText(`[program:web]\ncommand=/bin/web\n${body}`, "/etc/corral.conf", {}, { hostname: "box", passwd: () => "" });
  const plain = parse("").programs[0]!;
  const both = parse("inherit = listen_fds, notify_socket").programs[0]!;
  assert.equal(both.inherit, ["listen_fds", "notify_socket"]);
  assert.throws(() => parse("inherit=sockets"), /inherit.*expected a comma-separated list of listen_fds, notify_socket/);
  const env = { PATH: "/bin", NOTIFY_SOCKET: "/run/n", LISTEN_FDS: "1", LISTEN_PID: "1", LISTEN_FDNAMES: "web" };
  assert.equal(inheritedEnv(plain, env), { PATH: "/bin" });
  assert.equal(inheritedEnv(both, env), env);
  assert.equal(helperSpec(["pg_isready"], env).env, ["PATH=/bin"], "probes and post-start hooks get none of them");
});

test.run();
