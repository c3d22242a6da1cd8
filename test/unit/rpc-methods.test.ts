// The method table over a scripted port with fake time: each changed(ms) advances the clock
// by ms and applies the transitions due by then.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeCall, parseResponse, type RpcValue } from "../../src/rpc/codec.ts";
import { dispatch } from "../../src/rpc/dispatch.ts";
import type { ControlPort, LogFiles, ProcessInfo } from "../../src/rpc/port.ts";
import { ProcessStates as S, SupervisorStates } from "../../src/rpc/states.ts";

type Step = { at: number; name: string; set: Partial<ProcessInfo> };

class ScriptedPort implements ControlPort {
  clock = 1_000_000_000_000;
  state: number = SupervisorStates.RUNNING;
  steps: Step[] = [];
  /** What start(name) schedules: transitions relative to now. */
  onStart: Record<string, { after: number; set: Partial<ProcessInfo> }[]> = {};
  spawnFails = new Set<string>();
  signals: [string, number][] = [];
  readonly pid = 1;
  readonly identification = "supervisor";
  readonly version = "0.1.0";
  readonly mainLogfile = undefined;
  procs: ProcessInfo[];
  constructor(names: string[]) {
    this.procs = names.map((n) => {
      const [group, name] = n.includes(":") ? n.split(":") as [string, string] : [n, n];
      return { name, group, state: S.STOPPED, pid: 0, start: 0, stop: 0, exitstatus: 0, spawnerr: "", stdoutLogfile: "", stderrLogfile: "", groupPriority: 999, priority: 999 };
    });
  }
  p(name: string) { return this.procs.find((x) => x.name === name)!; }
  processes() { return this.procs.map((x) => ({ ...x })); }
  configured() {
    return this.procs.map((x) => ({ name: x.name, group: x.group, groupPriority: 999, priority: 999, autostart: x.name !== "manual", command: "x", directory: "", uid: null, exitcodes: [0], redirectStderr: false, startretries: 3, startsecs: 1, stopsignal: 15, stopwaitsecs: 10, killasgroup: false, serverurl: "auto", stdoutLogfile: "", stderrLogfile: "", stdoutLogfileMaxbytes: 0, stdoutLogfileBackups: 0, stderrLogfileMaxbytes: 0, stderrLogfileBackups: 0, stdoutEvents: false, stderrEvents: false, inuse: true }));
  }
  start(_g: string, name: string) {
    if (this.spawnFails.has(name)) {
      Object.assign(this.p(name), { state: S.BACKOFF, spawnerr: "can't find command 'nope'" });
      return undefined;
    }
    Object.assign(this.p(name), { state: S.STARTING, pid: 100, start: this.clock / 1000, spawnerr: "" });
    for (const s of this.onStart[name] ?? [{ after: 1000, set: { state: S.RUNNING } }]) this.steps.push({ at: this.clock + s.after, name, set: s.set });
    return undefined;
  }
  stop(_g: string, name: string) {
    this.p(name).state = S.STOPPING;
    this.steps.push({ at: this.clock + 200, name, set: { state: S.STOPPED, pid: 0, stop: (this.clock + 200) / 1000 } });
    return undefined;
  }
  signal(_g: string, name: string, signo: number) { this.signals.push([name, signo]); return undefined; }
  clearLogs() { return true; }
  readiness(_g: string, name: string) { return name === "slow" ? { ready: false, reason: "ready= tcp:127.0.0.1:1: connection refused" } : { ready: true, reason: "" }; }
  async changed(ms: number) {
    this.clock += ms;
    for (const s of this.steps.filter((x) => x.at <= this.clock)) Object.assign(this.p(s.name), s.set);
    this.steps = this.steps.filter((x) => x.at > this.clock);
  }
  reread() { return { added: ["new"], changed: [], removed: [] }; }
  addGroup(name: string) { return name === "new" ? true : this.procs.some((x) => x.group === name) ? false : undefined; }
  removeGroup(name: string) { return this.procs.some((x) => x.group === name) ? false : undefined; }
  shutdown() { this.state = SupervisorStates.SHUTDOWN; }
  readonly remote: string[] = [];
  remoteCommunication(type: string, data: string) { this.remote.push(`${type}:${data}`); }
  restart() {}
  supervisorState() { return this.state; }
  now() { return this.clock; }
}

const noFiles: LogFiles = { size: () => undefined, read: () => new Uint8Array(), inode: () => undefined };

async function call(port: ControlPort, method: string, ...params: RpcValue[]) {
  const reply = await dispatch({ port, logs: noFiles }, encodeCall(method, params));
  assert.is(reply.status, 200);
  return parseResponse(reply.body);
}
const fault = (code: number, faultString: string) => ({ fault: { faultCode: code, faultString } });

test("startProcess waits for RUNNING; a second start is ALREADY_STARTED; an unknown name is BAD_NAME", async () => {
  const port = new ScriptedPort(["web"]);
  assert.equal(await call(port, "supervisor.startProcess", "web"), { value: true });
  assert.is(port.p("web").state, S.RUNNING);
  assert.equal(await call(port, "supervisor.startProcess", "web"), fault(60, "ALREADY_STARTED: web"));
  assert.equal(await call(port, "supervisor.startProcess", "nope"), fault(10, "BAD_NAME: nope"));
});

test("a process that dies while STARTING is ABNORMAL_TERMINATION; a spawn failure is SPAWN_ERROR", async () => {
  const port = new ScriptedPort(["web", "bad"]);
  port.onStart["web"] = [{ after: 300, set: { state: S.BACKOFF } }];
  port.spawnFails.add("bad");
  assert.equal(await call(port, "supervisor.startProcess", "web"), fault(40, "ABNORMAL_TERMINATION: web"));
  assert.equal(await call(port, "supervisor.startProcess", "bad"), fault(50, "SPAWN_ERROR: bad"));
});

test("a start waiting for its dependencies keeps waiting, then reports RUNNING", async () => {
  const port = new ScriptedPort(["web"]);
  port.start = (_g, name) => {
    Object.assign(port.p(name), { pending: true });
    port.steps.push({ at: port.clock + 500, name, set: { pending: false, state: S.STARTING, pid: 9 } });
    port.steps.push({ at: port.clock + 1500, name, set: { state: S.RUNNING } });
    return undefined;
  };
  assert.equal(await call(port, "supervisor.startProcess", "web"), { value: true });
  assert.is(port.p("web").state, S.RUNNING);
});

test("startProcess with wait=false returns at once, still STARTING", async () => {
  const port = new ScriptedPort(["web"]);
  assert.equal(await call(port, "supervisor.startProcess", "web", false), { value: true });
  assert.is(port.p("web").state, S.STARTING);
});

test("GROUP:* starts the group and reports each process; stop waits for STOPPED; NOT_RUNNING after", async () => {
  const port = new ScriptedPort(["workers:w0", "workers:w1"]);
  const started = await call(port, "supervisor.startProcess", "workers:*");
  assert.equal(started, { value: [
    { name: "w0", group: "workers", status: 80, description: "OK" }, { name: "w1", group: "workers", status: 80, description: "OK" },
  ] });
  assert.equal(await call(port, "supervisor.stopProcess", "workers:w0"), { value: true });
  assert.is(port.p("w0").state, S.STOPPED);
  assert.equal(await call(port, "supervisor.stopProcess", "workers:w0"), fault(70, "NOT_RUNNING: workers:w0"));
});

test("signalProcess takes names or numbers; a bad one is BAD_SIGNAL; a stopped process is NOT_RUNNING", async () => {
  const port = new ScriptedPort(["web", "idle"]);
  await call(port, "supervisor.startProcess", "web");
  assert.equal(await call(port, "supervisor.signalProcess", "web", "HUP"), { value: true });
  assert.equal(await call(port, "supervisor.signalProcess", "web", "10"), { value: true });
  assert.equal(port.signals, [["web", 1], ["web", 10]]);
  assert.equal(await call(port, "supervisor.signalProcess", "web", "BOGUS"), fault(11, "BAD_SIGNAL: BOGUS"));
  assert.equal(await call(port, "supervisor.signalProcess", "idle", "HUP"), fault(70, "NOT_RUNNING: idle"));
});

test("getProcessInfo has supervisord's fields and description", async () => {
  const port = new ScriptedPort(["web"]);
  await call(port, "supervisor.startProcess", "web");
  port.clock += 61_000;
  const info = (await call(port, "supervisor.getProcessInfo", "web")) as { value: Record<string, RpcValue> };
  assert.equal(Object.keys(info.value), ["name", "group", "start", "stop", "now", "state", "statename", "spawnerr", "exitstatus", "logfile", "stdout_logfile", "stderr_logfile", "pid", "description"]);
  assert.is(info.value["statename"], "RUNNING");
  assert.is(info.value["description"], "pid 100, uptime 0:01:02");
});

test("dispatch faults: unknown, dotted too deep, private, wrong arity, SHUTDOWN_STATE after shutdown", async () => {
  const port = new ScriptedPort(["web"]);
  assert.equal(await call(port, "supervisor.nope"), fault(1, "UNKNOWN_METHOD"));
  assert.equal(await call(port, "supervisor.a.b"), fault(1, "UNKNOWN_METHOD"));
  assert.equal(await call(port, "supervisor._lookup"), fault(1, "UNKNOWN_METHOD"));
  assert.equal(await call(port, "supervisor.getProcessInfo"), fault(2, "INCORRECT_PARAMETERS"));
  assert.equal(await call(port, "supervisor.getProcessInfo", 5), fault(2, "INCORRECT_PARAMETERS"));
  assert.equal(await call(port, "supervisor.shutdown"), { value: true });
  assert.equal(await call(port, "supervisor.getState"), fault(6, "SHUTDOWN_STATE"));
});

test("malformed XML or a call without a method name is HTTP 400, as supervisord answers", async () => {
  const port = new ScriptedPort(["web"]);
  assert.is((await dispatch({ port, logs: noFiles }, "<methodCall><oops")).status, 400);
  assert.is((await dispatch({ port, logs: noFiles }, "<methodCall></methodCall>")).status, 400);
});

test("system.multicall runs each call, faults in place, no recursion", async () => {
  const port = new ScriptedPort(["web"]);
  const r = await call(port, "system.multicall", [
    { methodName: "supervisor.getAPIVersion", params: [] }, { methodName: "supervisor.nope", params: [] },
    { methodName: "system.multicall", params: [[]] },
  ]);
  assert.equal(r, { value: ["3.0", { faultCode: 1, faultString: "UNKNOWN_METHOD" }, { faultCode: 2, faultString: "INCORRECT_PARAMETERS: Recursive system.multicall forbidden" }] });
});

test("system.listMethods, methodSignature, methodHelp", async () => {
  const port = new ScriptedPort(["web"]);
  const list = (await call(port, "system.listMethods")) as { value: string[] };
  for (const m of ["supervisor.getAllProcessInfo", "supervisor.startProcess", "supervisor.getVersion", "system.multicall", "corral.getReadiness"]) assert.ok(list.value.includes(m), m);
  assert.equal(await call(port, "system.methodSignature", "supervisor.startProcess"), { value: ["boolean", "string", "boolean"] });
  assert.equal(await call(port, "system.methodHelp", "nope.nope"), fault(4, "SIGNATURE_UNSUPPORTED"));
});

test("reloadConfig returns [[added, changed, removed]]; addProcessGroup and removeProcessGroup fault as supervisord", async () => {
  const port = new ScriptedPort(["web"]);
  assert.equal(await call(port, "supervisor.reloadConfig"), { value: [[["new"], [], []]] });
  assert.equal(await call(port, "supervisor.addProcessGroup", "new"), { value: true });
  assert.equal(await call(port, "supervisor.addProcessGroup", "web"), fault(90, "ALREADY_ADDED: web"));
  assert.equal(await call(port, "supervisor.addProcessGroup", "zzz"), fault(10, "BAD_NAME: zzz"));
  assert.equal(await call(port, "supervisor.removeProcessGroup", "web"), fault(91, "STILL_RUNNING: web"));
});

test("corral.getReadiness: autostart processes by default; RUNNING and probe passing is ready", async () => {
  const port = new ScriptedPort(["web", "slow", "manual"]);
  await call(port, "supervisor.startProcess", "web");
  await call(port, "supervisor.startProcess", "slow");
  const r = (await call(port, "corral.getReadiness")) as { value: { name: string; ready: boolean; reason: string }[] };
  assert.equal(r.value.map((x) => [x.name, x.ready, x.reason]), [["web", true, ""], ["slow", false, "ready= tcp:127.0.0.1:1: connection refused"]]);
  const m = (await call(port, "corral.getReadiness", ["manual"])) as { value: { ready: boolean; reason: string }[] };
  assert.equal(m.value.map((x) => [x.ready, x.reason]), [[false, "STOPPED"]]);
});

test.run();
