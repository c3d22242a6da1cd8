// The control API's port over the real loop (src/modes/control-api.ts) on a fake Os with fake
// time: RPC commands are loop events, waits resolve on transitions, spawnerr, readiness, the
// per-group diff of reread/add/remove, shutdown. No processes, no sockets, no sleeps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeOs } from "../fakes/os.ts";
import { initLog } from "../../src/log.ts";
import { catchSignals } from "../../src/modes/signal-feed.ts";
import { runLoop, type LoopHandle, type ProgramPorts, type SupervisorPlan } from "../../src/modes/loop.ts";
import { groupDiff, LoopControlPort } from "../../src/modes/control-api.ts";
import { SUPERVISOR_METHODS } from "../../src/rpc/methods.ts";
import { RpcFault } from "../../src/rpc/faults.ts";
import type { LogFiles } from "../../src/rpc/port.ts";
import type { ProgramSpec } from "../../src/config/types.ts";
import type { SupervisedProgram } from "../../src/core/supervisor.ts";

const SIGHUP = 1, SIGTERM = 15, ENOENT = 2;
const noLogs: LogFiles = { size: () => undefined, read: () => new Uint8Array(0), inode: () => undefined };

function spec(name: string, over: Partial<ProgramSpec> = {}): ProgramSpec {
  return {
    name, group: name, command: [name], priority: 999, autostart: true, autorestart: "unexpected",
    startsecs: 1, startretries: 3, exitcodes: [0], stopsignal: SIGTERM, stopwaitsecs: 10, environment: {},
    redirectStderr: false, stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, dependsOn: [], origin: "test", ...over,
  };
}

const ports: ProgramPorts = {
  spawn: (_os, loop, program, _stdin, onExit) =>
    loop.reaper.spawnWith({ file: program.command[0]!, argv: program.command, env: [], newGroup: true }, onExit),
  probe: async () => false,
};

/** The loop with `specs`, the port attached as config mode attaches it; `reread` is what the config now says. */
async function setup(specs: ProgramSpec[], reread: () => SupervisedProgram<ProgramSpec>[] = () => [], survives: Record<string, number[]> = {}) {
  const os = new FakeOs();
  for (const [file, signals] of Object.entries(survives)) os.commands.set(file, signals);
  initLog(os, 2);
  let port: LoopControlPort | undefined;
  let handle: LoopHandle | undefined;
  const plan: SupervisorPlan = {
    rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 5000 },
    programs: specs.map((s) => ({ spec: s, ends: "never" })), controls: new Map(), socketMode: 0o600, ports,
    reload: () => ({ programs: reread(), controls: new Map() }),
    attach: async (o, loop) => {
      handle = loop;
      port = new LoopControlPort(o, loop, () => ({ programs: reread() }), { truncate: () => true, refusal: (file) => (file === "missing" ? { fault: "NO_FILE", text: `can't find command '${file}'` } : undefined) });
      return () => {};
    },
  };
  await runLoop(os, catchSignals(os), plan);
  // async: a fault thrown at once becomes a rejection, as dispatch sees it; the body still runs inside the call.
  const call = async (method: string, ...args: (string | boolean)[]) => SUPERVISOR_METHODS[method]!.run({ port: port!, logs: noLogs }, args);
  return { os, port: port!, loop: handle!, call };
}

const faultOf = async (p: unknown) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcFault) return `${e.code} ${e.text}`;
    throw e;
  }
  return "no fault";
};

test("startProcess(wait) is a START event of the loop and answers once startsecs made it RUNNING", async () => {
  const { os, port, call } = await setup([spec("web"), spec("manual", { autostart: false })]);
  assert.is(port.processes().find((p) => p.name === "manual")!.state, 0); // STOPPED
  let done: unknown;
  const started = Promise.resolve(call("supervisor.startProcess", "manual", true)).then((v) => (done = v));
  assert.is(os.last("manual").argv[0], "manual", "spawned at once, inside the call");
  await new Promise((r) => setImmediate(r));
  assert.is(done, undefined, "still STARTING: no answer yet");
  os.advance(1000);
  await started;
  assert.is(done, true);
  assert.is(port.processes().find((p) => p.name === "manual")!.state, 20); // RUNNING
});

test("a spawn failure answers SPAWN_ERROR, with supervisord's spawnerr text in getProcessInfo", async () => {
  const { os, call } = await setup([spec("web", { autostart: false, command: ["nginx"] })]);
  os.commands.set("nginx", -ENOENT);
  assert.is(await faultOf(call("supervisor.startProcess", "web", true)), "50 SPAWN_ERROR: web");
  const info = await call("supervisor.getProcessInfo", "web") as { spawnerr: string; statename: string };
  assert.is(info.spawnerr, "can't find command 'nginx'");
  assert.is(info.statename, "BACKOFF");
});

test("a command that cannot be found is refused before any spawn: NO_FILE, still STOPPED", async () => {
  const { os, port, call } = await setup([spec("web", { autostart: false, command: ["missing"] })]);
  assert.is(await faultOf(call("supervisor.startProcess", "web", true)), "20 NO_FILE: can't find command 'missing'");
  assert.is(os.spawned.length, 0);
  assert.is(port.processes()[0]!.state, 0);
});

test("stopProcess(wait) answers once the program is STOPPED; signalProcess signals its pid only", async () => {
  const { os, call } = await setup([spec("web", { startsecs: 0 })], undefined, { web: [SIGHUP] });
  const pid = os.last("web").pid;
  assert.is(await call("supervisor.signalProcess", "web", "HUP"), true);
  assert.equal(os.kills.filter((k) => k.signo === SIGHUP).map((k) => k.pid), [pid]);
  const stopped = call("supervisor.stopProcess", "web", true); // SIGTERM: the fake process dies of it
  os.advance(0);
  assert.is(await stopped, true);
  assert.is(await faultOf(call("supervisor.stopProcess", "web", true)), "70 NOT_RUNNING: web");
});

test("readiness: RUNNING without ready= is ready; with a failing ready= probe it says which probe", async () => {
  const { os, port } = await setup([spec("web", { startsecs: 0 }), spec("api", { startsecs: 0, ready: "tcp:localhost:5432" })]);
  assert.ok(os.last("web"));
  assert.equal(port.readiness("web", "web"), { ready: true, reason: "" });
  assert.equal(port.readiness("api", "api"), { ready: false, reason: "ready=tcp:localhost:5432 not passing yet" });
});

test("reread diffs by group; addProcessGroup starts the new group, removeProcessGroup drops a stopped one", async () => {
  const next = [spec("web"), spec("debug", { startsecs: 0 })].map((s) => ({ spec: s, ends: "never" as const }));
  const { os, port, call } = await setup([spec("web"), spec("old", { autostart: false })], () => next);
  assert.equal(port.reread(), { added: ["debug"], changed: [], removed: ["old"] });
  assert.is(await call("supervisor.addProcessGroup", "debug"), true);
  assert.is(os.last("debug").argv[0], "debug");
  assert.is(await faultOf(call("supervisor.addProcessGroup", "debug")), "90 ALREADY_ADDED: debug");
  assert.is(await call("supervisor.removeProcessGroup", "old"), true);
  assert.equal(port.processes().map((p) => p.name).sort(), ["debug", "web"]);
  assert.is(await faultOf(call("supervisor.removeProcessGroup", "web")), "91 STILL_RUNNING: web");
});

test("groupDiff: a changed setting in one member marks its group changed", () => {
  const p = (s: ProgramSpec) => ({ spec: s, ends: "never" as const });
  assert.equal(groupDiff([p(spec("web")), p(spec("db"))], [p(spec("web", { startsecs: 5 })), p(spec("db"))]), { added: [], changed: ["web"], removed: [] });
});

test("groupDiff: a program whose section moved (its file:line changed) or whose environment= is in another order is not changed", () => {
  const p = (s: ProgramSpec) => ({ spec: s, ends: "never" as const });
  const before = [p(spec("web", { origin: "a.conf:3", environment: { A: "1", B: "2" } })), p(spec("db", { origin: "a.conf:9" }))];
  const after = [p(spec("db", { origin: "a.conf:2" })), p(spec("web", { origin: "a.conf:12", environment: { B: "2", A: "1" } }))];
  assert.equal(groupDiff(before, after), { added: [], changed: [], removed: [] });
});

test("groupDiff: an [eventlistener:x] whose events= changed is changed, as supervisord's EventListenerPoolConfig compares them", () => {
  const p = (s: ProgramSpec) => ({ spec: s, ends: "never" as const });
  const listener = [p(spec("watch"))];
  const plan = (events: string[]) => [{ name: "watch", events, bufferSize: 10, processes: ["watch"] }];
  assert.equal(groupDiff(listener, listener, plan(["TICK_60"]), plan(["TICK_60"])), { added: [], changed: [], removed: [] });
  assert.equal(groupDiff(listener, listener, plan(["TICK_60"]), plan(["TICK_5"])), { added: [], changed: ["watch"], removed: [] });
});

test("shutdown answers first, then stops everything as SIGTERM does; later calls get SHUTDOWN_STATE", async () => {
  const { os, call } = await setup([spec("web", { startsecs: 0 })]);
  const pid = os.last("web").pid;
  assert.is(await call("supervisor.shutdown"), true);
  assert.is(os.kills.filter((k) => k.signo === SIGTERM).length, 0, "nothing signalled before the answer went out");
  assert.is(await faultOf(call("supervisor.getState")), "6 SHUTDOWN_STATE");
  os.advance(50);
  assert.ok(os.kills.some((k) => k.pid === pid && k.signo === SIGTERM));
  os.advance(10);
  assert.is(os.exitCode, 0);
});

test.run();
