// The real loop (src/modes/loop.ts) on a fake Os with fake time: the PID-1 core, the
// supervisor driver, readiness probing, post-start and the control socket. No processes, no sleeps.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeOs } from "../fakes/os.ts";
import { initLog } from "../../src/log.ts";
import { catchSignals } from "../../src/modes/signal-feed.ts";
import { runLoop, type LoopPlan, type ProgramPorts, type SupervisorPlan } from "../../src/modes/loop.ts";
import { initPlan } from "../../src/modes/init.ts";
import { containerRunPlan } from "../../src/modes/container-run.ts";
import { parseFlags } from "../../src/modes/flags.ts";
import { initOptions, type InitOptions } from "../../src/modes/options.ts";
import { controlPaths } from "../../src/control/paths.ts";
import type { ProgramSpec } from "../../src/config/types.ts";
import type { Ends } from "../../src/core/supervisor.ts";

const SIGHUP = 1, SIGKILL = 9, SIGUSR1 = 10, SIGTERM = 15, SIGCONT = 18;

function fake(): FakeOs {
  const os = new FakeOs();
  initLog(os, 2);
  return os;
}

function init(command: string[], over: Partial<InitOptions> = {}): LoopPlan {
  return initPlan({ command, singleChild: false, rewrites: new Map(), remapExit: new Set(), graceMs: 10_000, verbosity: 2, ...over });
}

/** Starts `plan`; an exit during start-up (a job that cannot run) is the fake's exitCode. */
async function start(os: FakeOs, plan: LoopPlan): Promise<void> {
  await runLoop(os, catchSignals(os), plan).catch((err) => {
    if (os.exitCode === undefined) throw err;
  });
}

const killsOf = (os: FakeOs, from = 0) => os.kills.slice(from).filter((k) => k.signo !== 0).map(({ pid, signo }) => ({ pid, signo }));
/** Lets probe promises settle. */
const settle = () => new Promise((r) => setImmediate(r));

function spec(name: string, over: Partial<ProgramSpec> = {}): ProgramSpec {
  return {
    name, group: name, command: [name], priority: 999, autostart: true, autorestart: "unexpected",
    startsecs: 0, startretries: 3, exitcodes: [0], stopsignal: SIGTERM, stopwaitsecs: 10, environment: {},
    redirectStderr: false, stdout: { kind: "inherit", fd: 1 }, stderr: { kind: "inherit", fd: 2 },
    critical: false, dependsOn: [], origin: "test", ...over,
  };
}

/** Spawns programs as plain argv through the loop's reaper; probes answer from `answers`. */
function ports(answers: boolean[] = []): ProgramPorts & { probes: number } {
  const p = {
    probes: 0,
    spawn: ((os, loop, program, _stdin, onExit) =>
      loop.reaper.spawnWith({ file: program.command[0]!, argv: program.command, env: [], newGroup: true }, onExit)) as ProgramPorts["spawn"],
    probe: async () => answers[p.probes++] ?? false,
  };
  return p;
}

function supervised(programs: Array<[ProgramSpec, Ends?]>, answers: boolean[] = []): SupervisorPlan {
  return {
    rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 5000 },
    programs: programs.map(([s, ends]) => ({ spec: s, ends: ends ?? "never" })),
    controls: new Map(), socketMode: 0o600, ports: ports(answers),
  };
}

// --- the PID-1 core ---

test("the job's exit sends SIGTERM to everything, SIGKILL once the grace period is over, then corral exits with the job's code", async () => {
  const os = fake();
  await start(os, init(["server"], { graceMs: 2000 }));
  const job = os.last("server");
  os.adopt(["stubborn-daemon"], 500, [SIGTERM]);
  os.exitProcess(job.pid, 3);
  assert.equal(killsOf(os), [{ pid: -1, signo: SIGTERM }, { pid: -1, signo: SIGCONT }]);
  os.advance(1999);
  assert.equal(killsOf(os), [{ pid: -1, signo: SIGTERM }, { pid: -1, signo: SIGCONT }], "no SIGKILL before the grace period is over");
  os.advance(1); // SIGKILL; the daemon dies, corral reaps it and has no child left
  assert.equal(killsOf(os).at(-1), { pid: -1, signo: SIGKILL });
  assert.is(os.exitCode, 3);
});

test("a second SIGTERM during the grace period kills everything at once", async () => {
  const os = fake();
  await start(os, init(["server"]));
  os.adopt(["stubborn-daemon"], 500, [SIGTERM]);
  os.exitProcess(os.last("server").pid, 0);
  os.signal(SIGTERM);
  assert.equal(killsOf(os), [{ pid: -1, signo: SIGTERM }, { pid: -1, signo: SIGCONT }, { pid: -1, signo: SIGKILL }]);
  os.advance(0);
  assert.is(os.exitCode, 0);
});

test("signals reach the job's process group while it runs", async () => {
  const os = fake();
  await start(os, init(["server"]));
  os.signal(SIGUSR1);
  assert.equal(killsOf(os), [{ pid: -os.last("server").pid, signo: SIGUSR1 }]);
});

test("a job that cannot be found ends corral with 127 and one line naming it", async () => {
  const os = fake();
  os.commands.set("nope", -2);
  await start(os, init(["nope"]));
  assert.is(os.exitCode, 127);
  assert.ok(os.log.includes("nope: command not found"), os.log.join("\n"));
});

// --- the supervisor driver ---

test("programs start in priority order and a SIGTERM stops them in reverse order, one level at a time", async () => {
  const os = fake();
  await start(os, supervised([[spec("db", { priority: 1 })], [spec("web", { priority: 2 })]]));
  assert.equal(os.spawned.map((p) => p.argv[0]), ["db", "web"]);
  const [db, web] = os.spawned as [typeof os.spawned[0], typeof os.spawned[0]];
  os.signal(SIGTERM);
  assert.equal(killsOf(os), [{ pid: web.pid, signo: SIGTERM }], "web first; db still runs");
  os.advance(0); // web dies, then db is stopped and dies, then the rest gets SIGTERM
  assert.equal(killsOf(os), [{ pid: web.pid, signo: SIGTERM }, { pid: db.pid, signo: SIGTERM }, { pid: -1, signo: SIGTERM }, { pid: -1, signo: SIGCONT }]);
  assert.is(os.exitCode, 0);
});

test("stopasgroup=false (supervisord's default): the stop signal goes to the main process; what is left of its group is TERMed once it is gone, then KILLed stopwaitsecs later", async () => {
  const os = fake();
  await start(os, supervised([[spec("web", { stopwaitsecs: 3 })]]));
  const web = os.last("web");
  os.adopt(["worker"], web.pid, [SIGTERM]);
  os.signal(SIGTERM);
  assert.equal(killsOf(os), [{ pid: web.pid, signo: SIGTERM }], "the main process only");
  os.advance(0);
  assert.equal(killsOf(os), [{ pid: web.pid, signo: SIGTERM }, { pid: -web.pid, signo: SIGTERM }], "the rest of its group, once it is gone");
  os.advance(2999);
  assert.is(os.exitCode, undefined);
  os.advance(1);
  assert.equal(killsOf(os).slice(2, 3), [{ pid: -web.pid, signo: SIGKILL }]);
});

test("stopasgroup=true: the stop signal and the SIGKILL go to the whole group, the rest is not signalled twice", async () => {
  const os = fake();
  await start(os, supervised([[spec("web", { stopwaitsecs: 3, stopasgroup: true, killasgroup: true })]]));
  const web = os.last("web");
  os.adopt(["worker"], web.pid, [SIGTERM]);
  os.signal(SIGTERM);
  os.advance(0);
  assert.equal(killsOf(os), [{ pid: -web.pid, signo: SIGTERM }]);
  os.advance(3000);
  assert.equal(killsOf(os).slice(1, 2), [{ pid: -web.pid, signo: SIGKILL }]);
});

test("a program that exits before startsecs is restarted after 1 s, then 2 s (the fake clock)", async () => {
  const os = fake();
  await start(os, supervised([[spec("flaky", { startsecs: 1 })]]));
  os.exitProcess(os.last("flaky").pid, 1);
  os.advance(999);
  assert.is(os.spawned.length, 1, "no restart before the backoff is over");
  os.advance(1);
  assert.is(os.spawned.length, 2);
  os.exitProcess(os.last("flaky").pid, 1);
  os.advance(1999);
  assert.is(os.spawned.length, 2);
  os.advance(1);
  assert.is(os.spawned.length, 3);
});

test("a critical program's exit stops the others and corral exits with its code", async () => {
  const os = fake();
  await start(os, supervised([[spec("main"), "always"], [spec("sidecar")]]));
  const sidecar = os.last("sidecar");
  os.exitProcess(os.last("main").pid, 4);
  assert.equal(killsOf(os), [{ pid: sidecar.pid, signo: SIGTERM }]);
  os.advance(0);
  os.advance(0);
  assert.is(os.exitCode, 4);
});

test("a second SIGTERM while programs stop kills everything at once", async () => {
  const os = fake();
  os.commands.set("slow", [SIGTERM]);
  await start(os, supervised([[spec("slow")]]));
  os.signal(SIGTERM);
  os.signal(SIGTERM);
  assert.equal(killsOf(os).map((k) => k.signo), [SIGTERM, SIGKILL]);
  assert.equal(killsOf(os).at(-1), { pid: -1, signo: SIGKILL });
  os.advance(0);
  os.advance(0);
  assert.is(os.exitCode, 0);
});

test("a dependent starts once the readiness probe passes, probed every 500 ms", async () => {
  const os = fake();
  await start(os, supervised([[spec("db", { priority: 1, ready: "tcp:localhost:5432" })], [spec("web", { priority: 2, dependsOn: ["db"] })]],
    [false, false, true]));
  await settle();
  assert.equal(os.spawned.map((p) => p.argv[0]), ["db"]);
  os.advance(500);
  await settle();
  assert.equal(os.spawned.map((p) => p.argv[0]), ["db"], "second probe failed too");
  os.advance(500);
  await settle();
  assert.equal(os.spawned.map((p) => p.argv[0]), ["db", "web"]);
});

test("probing stops when the program exits", async () => {
  const os = fake();
  const plan = supervised([[spec("db", { autorestart: "false", ready: "tcp:localhost:5432" })]]);
  await start(os, plan);
  await settle();
  os.exitProcess(os.last("db").pid, 0);
  os.advance(5000);
  await settle();
  assert.is((plan.ports as ReturnType<typeof ports>).probes, 1);
});

// --- container-run: the control socket and post-start ---

async function containerRun(os: FakeOs, extra: string[] = []): Promise<ReturnType<typeof controlPaths>> {
  const flags = parseFlags(["--job-name", "web", "--base-dir", "/base", ...extra], {});
  const plan = containerRunPlan(flags, initOptions(flags, ["server"]));
  plan.ports = ports();
  await start(os, plan);
  return controlPaths("/base", "web", "web");
}

test("STOP over the socket stops the job and removes .running; START starts it again", async () => {
  const os = fake();
  const paths = await containerRun(os);
  const first = os.last("server");
  assert.is(os.files.get(paths.running), `${first.pid}\n`);
  os.datagram(paths.socket, "STOP\n");
  assert.equal(killsOf(os), [{ pid: -first.pid, signo: SIGTERM }]);
  os.advance(0);
  assert.not.ok(os.files.has(paths.running));
  os.datagram(paths.socket, "START");
  assert.is(os.spawned.length, 2);
  assert.is(os.files.get(paths.running), `${os.last("server").pid}\n`);
});

test("a stopped job counts as down only once its whole process group is gone", async () => {
  const os = fake();
  const paths = await containerRun(os);
  const leader = os.last("server");
  const worker = os.adopt(["worker"], leader.pid, [SIGTERM]);
  os.datagram(paths.socket, "STOP");
  os.advance(0); // the leader dies, the worker lives on
  os.datagram(paths.socket, "START");
  assert.is(os.spawned.length, 1, "START waits while the group lives");
  os.exitProcess(worker.pid, 0);
  assert.is(os.spawned.length, 2);
});

test("STATUS is answered to the sender with the job's state", async () => {
  const os = fake();
  const paths = await containerRun(os);
  os.datagram(paths.socket, "STATUS", "/tmp/client.sock");
  await settle();
  assert.is(os.sent.length, 1);
  assert.match(new TextDecoder().decode(os.sent[0]!.data), /RUNNING/);
});

test("post-start waits for its condition, polled every 3 s, and runs once it holds", async () => {
  const os = fake();
  await containerRun(os, ["--post-start-name", "register", "--post-start-condition-name", "check"]);
  os.exitProcess(os.last("check").pid, 1);
  os.advance(2999);
  assert.is(os.spawned.filter((p) => p.argv[0] === "check").length, 1);
  os.advance(1);
  os.exitProcess(os.last("check").pid, 0);
  assert.ok(os.spawned.some((p) => p.argv[0] === "register"));
});

test("STOP cancels a running post-start condition (SIGTERM to its group) and its poll", async () => {
  const os = fake();
  const paths = await containerRun(os, ["--post-start-name", "register", "--post-start-condition-name", "check"]);
  const check = os.last("check");
  os.datagram(paths.socket, "STOP");
  assert.ok(killsOf(os).some((k) => k.pid === -check.pid && k.signo === SIGTERM));
  os.advance(10_000);
  assert.is(os.spawned.filter((p) => p.argv[0] === "check").length, 1);
  assert.not.ok(os.spawned.some((p) => p.argv[0] === "register"));
});

test("SIGHUP without a config is forwarded to the programs", async () => {
  const os = fake();
  await start(os, supervised([[spec("web")]]));
  os.signal(SIGHUP);
  assert.equal(killsOf(os), [{ pid: -os.last("web").pid, signo: SIGHUP }]);
});

test.run();
