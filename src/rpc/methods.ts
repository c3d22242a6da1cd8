// The supervisor.* and corral.* methods (supervisord's rpcinterface.py, API 3.0), pure over the port.
import { parseSignal } from "../os/signals.ts";
import type { RpcValue } from "./codec.ts";
import { describe } from "./describe.ts";
import { Faults, RpcFault } from "./faults.ts";
import { logSource, mainLogSource, readLog, tailLog } from "./logs.ts";
import { makeName, splitName } from "./names.ts";
import type { ControlPort, LogFiles, ProcessInfo } from "./port.ts";
import {
  processStateName, ProcessStates, RUNNING_STATES, SIGNALLABLE_STATES, STOPPED_STATES, SupervisorStates, supervisorStateName,
} from "./states.ts";

/** supervisord's XML-RPC API version. */
export const API_VERSION = "3.0";
/** How often a waiting call looks again when no state change woke it (supervisord's onwait delay). */
export const WAIT_POLL_MS = 50;

/** What every method runs against. */
export interface MethodContext {
  port: ControlPort;
  logs: LogFiles;
}

/** One published method: its signature (supervisord's @return/@param types) and body. */
export interface Method {
  /** [return type, ...param types]. */
  signature: string[];
  /** How many trailing params may be left out. */
  optional?: number;
  help: string;
  run(ctx: MethodContext, args: RpcValue[]): RpcValue | Promise<RpcValue>;
}

type Struct = { [key: string]: RpcValue };

const str = (v: RpcValue | undefined): string => {
  if (typeof v !== "string") throw new RpcFault("INCORRECT_PARAMETERS");
  return v;
};
const int = (v: RpcValue | undefined): number => {
  const n = typeof v === "string" && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n)) throw new RpcFault("INCORRECT_PARAMETERS");
  return n;
};
/** Python's str() of a scalar, as supervisord's '%s' formats what it was sent. */
const pythonStr = (v: RpcValue | undefined): string =>
  typeof v === "boolean" ? (v ? "True" : "False") : typeof v === "number" && Number.isInteger(v) ? String(v) : typeof v === "string" ? v : JSON.stringify(v);
const flag = (v: RpcValue | undefined): boolean => (v === undefined ? true : Boolean(v));

/** Faults with SHUTDOWN_STATE once corral is shutting down or restarting (supervisord's _update). */
function live(port: ControlPort): void {
  if (port.supervisorState() < SupervisorStates.RUNNING) throw new RpcFault("SHUTDOWN_STATE");
}

const find = (port: ControlPort, group: string, name: string) => port.processes().find((p) => p.group === group && p.name === name);

/** The group and (unless `GROUP:*`) the process a name stands for; BAD_NAME when unknown. */
function lookup(port: ControlPort, name: string): { group: string; process: ProcessInfo | undefined } {
  const { group, process } = splitName(name);
  const members = port.processes().filter((p) => p.group === group);
  if (members.length === 0) throw new RpcFault("BAD_NAME", name);
  if (process === undefined) return { group, process: undefined };
  const info = members.find((p) => p.name === process);
  if (!info) throw new RpcFault("BAD_NAME", name);
  return { group, process: info };
}

/** Processes in start order: groups by priority, then each group's processes by priority (both stable). */
function inOrder(list: readonly ProcessInfo[]): ProcessInfo[] {
  const groups: string[] = [];
  for (const p of list) if (!groups.includes(p.group)) groups.push(p.group);
  const prio = (g: string) => list.find((p) => p.group === g)!.groupPriority;
  return groups.sort((a, b) => prio(a) - prio(b)).flatMap((g) => list.filter((p) => p.group === g).sort((a, b) => a.priority - b.priority));
}

const lexical = (a: ProcessInfo, b: ProcessInfo) =>
  a.group < b.group ? -1 : a.group > b.group ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** Calls `check` after every state change until it returns a value. */
async function until<T>(port: ControlPort, check: () => T | undefined): Promise<T> {
  for (;;) {
    const done = check();
    if (done !== undefined) return done;
    await port.changed(WAIT_POLL_MS);
  }
}

/**
 * getProcessInfo's struct, keys in supervisord's order.
 * @example processInfo(port.processes()[0]!, port.now()).description // "pid 7, uptime 0:01:02"
 */
export function processInfo(info: ProcessInfo, nowMs: number): Struct {
  const now = Math.floor(nowMs / 1000);
  const start = Math.floor(info.start), stop = Math.floor(info.stop);
  return {
    name: info.name, group: info.group, start, stop, now, state: info.state, statename: processStateName(info.state),
    spawnerr: info.spawnerr, exitstatus: info.exitstatus, logfile: info.stdoutLogfile, stdout_logfile: info.stdoutLogfile,
    stderr_logfile: info.stderrLogfile, pid: info.pid,
    description: describe({ name: info.name, state: info.state, pid: info.pid, start, stop, now, spawnerr: info.spawnerr }),
  };
}

const result = (p: ProcessInfo, code: number, description: string): Struct =>
  ({ name: p.name, group: p.group, status: code, description });

/**
 * supervisord's make_allfunc: runs `one` for each process `which` accepts, all at once, and
 * collects {name, group, status, description} as each finishes (faults first, as supervisord).
 */
async function forEach(procs: ProcessInfo[], which: (p: ProcessInfo) => boolean, one: (name: string) => Promise<unknown>): Promise<RpcValue> {
  const results: Struct[] = [];
  const waits = procs.filter(which).map((p) =>
    one(makeName(p.group, p.name)).then(
      () => void results.push(result(p, Faults.SUCCESS, "OK")),
      (e: unknown) => {
        if (!(e instanceof RpcFault)) throw e;
        results.push(result(p, e.code, e.text));
      },
    ));
  await Promise.all(waits);
  return results;
}

async function startProcess(ctx: MethodContext, name: string, wait: boolean): Promise<RpcValue> {
  const { port } = ctx;
  live(port);
  const { group, process } = lookup(port, name);
  if (!process) return startGroup(ctx, group, wait);
  if (RUNNING_STATES.includes(process.state)) throw new RpcFault("ALREADY_STARTED", name);
  if (process.state === ProcessStates.UNKNOWN) throw new RpcFault("FAILED", `${name} is in an unknown process state`);
  const refused = port.start(process.group, process.name);
  if (refused) throw new RpcFault(refused.fault, refused.text);
  const now = () => find(port, process.group, process.name);
  if (now()?.spawnerr) throw new RpcFault("SPAWN_ERROR", name);
  if (!wait) return true;
  return until(port, () => {
    const p = now();
    if (!p || p.spawnerr) throw new RpcFault("SPAWN_ERROR", name);
    if (p.state === ProcessStates.RUNNING) return true;
    if (p.pending) return undefined;
    if (p.state !== ProcessStates.STARTING) throw new RpcFault("ABNORMAL_TERMINATION", name);
    return undefined;
  });
}

function startGroup(ctx: MethodContext, group: string, wait: boolean): Promise<RpcValue> {
  live(ctx.port);
  const procs = inOrder(ctx.port.processes().filter((p) => p.group === group));
  if (procs.length === 0) throw new RpcFault("BAD_NAME", group);
  return forEach(procs, (p) => !RUNNING_STATES.includes(p.state), (n) => startProcess(ctx, n, wait));
}

async function stopProcess(ctx: MethodContext, name: string, wait: boolean): Promise<RpcValue> {
  const { port } = ctx;
  live(port);
  const { group, process } = lookup(port, name);
  if (!process) return stopGroup(ctx, group, wait);
  if (!RUNNING_STATES.includes(process.state)) throw new RpcFault("NOT_RUNNING", name);
  const failed = port.stop(process.group, process.name);
  if (failed !== undefined) throw new RpcFault("FAILED", failed);
  if (!wait) return true;
  return until(port, () => {
    const p = find(port, process.group, process.name);
    return !p || STOPPED_STATES.includes(p.state) ? true : undefined;
  });
}

function stopGroup(ctx: MethodContext, group: string, wait: boolean): Promise<RpcValue> {
  live(ctx.port);
  const procs = inOrder(ctx.port.processes().filter((p) => p.group === group));
  if (procs.length === 0) throw new RpcFault("BAD_NAME", group);
  return forEach(procs, (p) => RUNNING_STATES.includes(p.state), (n) => stopProcess(ctx, n, wait));
}

function signalNumber(signal: RpcValue | undefined): number {
  const n = typeof signal === "number" || typeof signal === "string" ? parseSignal(String(signal)) : undefined;
  if (n === undefined) throw new RpcFault("BAD_SIGNAL", String(signal));
  return n;
}

async function signalProcess(ctx: MethodContext, name: string, signal: RpcValue | undefined): Promise<RpcValue> {
  const { port } = ctx;
  live(port);
  const { group, process } = lookup(port, name);
  if (!process) return signalGroup(ctx, group, signal);
  const signo = signalNumber(signal);
  if (!SIGNALLABLE_STATES.includes(process.state)) throw new RpcFault("NOT_RUNNING", name);
  const failed = port.signal(process.group, process.name, signo);
  if (failed !== undefined) throw new RpcFault("FAILED", failed);
  return true;
}

function signalGroup(ctx: MethodContext, group: string, signal: RpcValue | undefined): Promise<RpcValue> {
  live(ctx.port);
  const procs = inOrder(ctx.port.processes().filter((p) => p.group === group));
  if (procs.length === 0) throw new RpcFault("BAD_NAME", group);
  return forEach(procs, (p) => SIGNALLABLE_STATES.includes(p.state), (n) => signalProcess(ctx, n, signal));
}

function processLog(ctx: MethodContext, args: RpcValue[], channel: "stdout" | "stderr", tail: boolean): RpcValue {
  live(ctx.port);
  const name = str(args[0]);
  const { process } = lookup(ctx.port, name);
  if (!process) throw new RpcFault("BAD_NAME", name);
  return (tail ? tailLog : readLog)(ctx.logs, logSource(process, channel), int(args[1]), int(args[2]));
}

function configInfo(ctx: MethodContext): RpcValue {
  live(ctx.port);
  const none = (v: string | number | null) => (v === "" || v === null ? "none" : v);
  return ctx.port.configured().map((c) => ({
    autostart: c.autostart, directory: none(c.directory), uid: none(c.uid), command: c.command, exitcodes: c.exitcodes,
    group: c.group, group_prio: c.groupPriority, inuse: c.inuse, killasgroup: c.killasgroup, name: c.name, process_prio: c.priority,
    redirect_stderr: c.redirectStderr, startretries: c.startretries, startsecs: c.startsecs,
    stdout_capture_maxbytes: 0, stdout_events_enabled: c.stdoutEvents, stdout_logfile: none(c.stdoutLogfile),
    stdout_logfile_backups: c.stdoutLogfileBackups, stdout_logfile_maxbytes: c.stdoutLogfileMaxbytes, stdout_syslog: false,
    stopsignal: c.stopsignal, stopwaitsecs: c.stopwaitsecs, stderr_capture_maxbytes: 0, stderr_events_enabled: c.stderrEvents,
    stderr_logfile: none(c.stderrLogfile), stderr_logfile_backups: c.stderrLogfileBackups,
    stderr_logfile_maxbytes: c.stderrLogfileMaxbytes, stderr_syslog: false, serverurl: c.serverurl,
  } as Struct)).sort((a, b) => (a["name"]! < b["name"]! ? -1 : a["name"]! > b["name"]! ? 1 : 0));
}

/** corral.getReadiness: for each named (default: every autostart) process, whether it is RUNNING and its ready= probe passes. */
function readiness(ctx: MethodContext, names: RpcValue | undefined): RpcValue {
  const { port } = ctx;
  const all = inOrder(port.processes());
  let chosen: ProcessInfo[];
  if (names === undefined || (Array.isArray(names) && names.length === 0)) {
    const auto = new Set(port.configured().filter((c) => c.autostart && c.inuse).map((c) => makeName(c.group, c.name)));
    chosen = all.filter((p) => auto.has(makeName(p.group, p.name)));
  } else {
    if (!Array.isArray(names)) throw new RpcFault("INCORRECT_PARAMETERS");
    chosen = names.flatMap((n) => {
      const { group, process } = lookup(port, str(n));
      return process ? [process] : all.filter((p) => p.group === group);
    });
  }
  return chosen.map((p) => {
    const probe = p.state === ProcessStates.RUNNING ? port.readiness(p.group, p.name) : { ready: false, reason: processStateName(p.state) };
    return { name: p.name, group: p.group, state: p.state, statename: processStateName(p.state), ready: probe.ready, reason: probe.reason };
  });
}

const m = (signature: string[], help: string, run: Method["run"], optional = 0): Method => ({ signature, help, run, optional });
const api = (ctx: MethodContext) => (live(ctx.port), API_VERSION);
const mainLog = (ctx: MethodContext, args: RpcValue[]) => {
  live(ctx.port);
  return readLog(ctx.logs, mainLogSource(ctx.port.mainLogfile), int(args[0]), int(args[1]));
};
const clearOne = (ctx: MethodContext, args: RpcValue[]) => {
  live(ctx.port);
  const name = str(args[0]);
  const { process } = lookup(ctx.port, name);
  if (!process) throw new RpcFault("BAD_NAME", name);
  if (!ctx.port.clearLogs(process.group, process.name)) throw new RpcFault("FAILED", name);
  for (const channel of ["stdout", "stderr"] as const) ctx.logs.clear?.(logSource(process, channel)); // its in-memory tails
  return true;
};

/**
 * The supervisor.* and corral.* namespaces (system.* is in system.ts), by full method name.
 * Aliases kept from supervisord: getVersion, readMainLog, readProcessLog, tailProcessLog, clearProcessLog.
 * @example await SUPERVISOR_METHODS["supervisor.getState"]!.run({ port, logs }, []) // { statecode: 1, statename: "RUNNING" }
 */
export const SUPERVISOR_METHODS: Readonly<Record<string, Method>> = {
  "supervisor.getAPIVersion": m(["string"], "Return the version of the RPC API used by supervisord", api),
  "supervisor.getVersion": m(["string"], "Return the version of the RPC API (old name of getAPIVersion)", api),
  "supervisor.getSupervisorVersion": m(["string"], "Return the version of corral (in place of supervisor's)", ({ port }) => (live(port), port.version)),
  "supervisor.getIdentification": m(["string"], "Return the identifying string of this server", ({ port }) => (live(port), port.identification)),
  "supervisor.getState": m(["struct"], "Return the server state as {statecode, statename}", ({ port }) => {
    live(port);
    const code = port.supervisorState();
    return { statecode: code, statename: supervisorStateName(code) };
  }),
  "supervisor.getPID": m(["int"], "Return the PID of the server", ({ port }) => (live(port), port.pid)),
  "supervisor.readLog": m(["string", "int", "int"], "Read length bytes from the main log at offset", mainLog),
  "supervisor.readMainLog": m(["string", "int", "int"], "Read from the main log (old name of readLog)", mainLog),
  "supervisor.clearLog": m(["boolean"], "Clear the main log", ({ port, logs }) => {
    live(port);
    if (logs.clear?.(mainLogSource(port.mainLogfile))) return true;
    throw new RpcFault("NO_FILE", port.mainLogfile ?? "None");
  }),
  "supervisor.shutdown": m(["boolean"], "Shut the server down", ({ port }) => (live(port), port.shutdown(), true)),
  "supervisor.restart": m(["boolean"], "Restart the server with the config read again", ({ port }) => (live(port), port.restart(), true)),
  "supervisor.reloadConfig": m(["array"], "Read the config again: [[added, changed, removed]] group names", ({ port }) => {
    live(port);
    const diff = port.reread();
    if ("error" in diff) throw new RpcFault("CANT_REREAD", diff.error);
    return [[diff.added, diff.changed, diff.removed]];
  }),
  "supervisor.addProcessGroup": m(["boolean", "string"], "Start a group added to the config (after reloadConfig)", ({ port }, [name]) => {
    live(port);
    const added = port.addGroup(str(name));
    if (added === undefined) throw new RpcFault("BAD_NAME", str(name));
    if (!added) throw new RpcFault("ALREADY_ADDED", str(name));
    return true;
  }),
  "supervisor.removeProcessGroup": m(["boolean", "string"], "Remove a stopped group from the running config", ({ port }, [name]) => {
    live(port);
    const removed = port.removeGroup(str(name));
    if (removed === undefined) throw new RpcFault("BAD_NAME", str(name));
    if (!removed) throw new RpcFault("STILL_RUNNING", str(name));
    return true;
  }),
  "supervisor.getProcessInfo": m(["struct", "string"], "Get info about a process named name (or group:name)", ({ port }, [name]) => {
    live(port);
    const { process } = lookup(port, str(name));
    if (!process) throw new RpcFault("BAD_NAME", str(name));
    return processInfo(process, port.now());
  }),
  "supervisor.getAllProcessInfo": m(["array"], "Get info about all processes", ({ port }) => {
    live(port);
    const now = port.now();
    return [...port.processes()].sort(lexical).map((p) => processInfo(p, now));
  }),
  "supervisor.getAllConfigInfo": m(["array"], "Get info about every configured process", configInfo),
  "supervisor.startProcess": m(["boolean", "string", "boolean"], "Start a process (name, group:name or group:*); wait for RUNNING unless wait is false",
    (ctx, [name, wait]) => startProcess(ctx, str(name), flag(wait)), 1),
  "supervisor.startProcessGroup": m(["array", "string", "boolean"], "Start every process of a group",
    (ctx, [name, wait]) => startGroup(ctx, str(name), flag(wait)), 1),
  "supervisor.startAllProcesses": m(["array", "boolean"], "Start every process", (ctx, [wait]) => {
    live(ctx.port);
    return forEach(inOrder(ctx.port.processes()), (p) => !RUNNING_STATES.includes(p.state), (n) => startProcess(ctx, n, flag(wait)));
  }, 1),
  "supervisor.stopProcess": m(["boolean", "string", "boolean"], "Stop a process (name, group:name or group:*); wait for it to stop unless wait is false",
    (ctx, [name, wait]) => stopProcess(ctx, str(name), flag(wait)), 1),
  "supervisor.stopProcessGroup": m(["array", "string", "boolean"], "Stop every process of a group",
    (ctx, [name, wait]) => stopGroup(ctx, str(name), flag(wait)), 1),
  "supervisor.stopAllProcesses": m(["array", "boolean"], "Stop every process", (ctx, [wait]) => {
    live(ctx.port);
    return forEach(inOrder(ctx.port.processes()), (p) => RUNNING_STATES.includes(p.state), (n) => stopProcess(ctx, n, flag(wait)));
  }, 1),
  "supervisor.signalProcess": m(["boolean", "string", "string"], "Send a signal (name like HUP or number) to a process",
    (ctx, [name, signal]) => signalProcess(ctx, str(name), signal)),
  "supervisor.signalProcessGroup": m(["array", "string", "string"], "Send a signal to every process of a group",
    (ctx, [name, signal]) => signalGroup(ctx, str(name), signal)),
  "supervisor.signalAllProcesses": m(["array", "string"], "Send a signal to every process", (ctx, [signal]) => {
    live(ctx.port);
    return forEach(inOrder(ctx.port.processes()), (p) => SIGNALLABLE_STATES.includes(p.state), (n) => signalProcess(ctx, n, signal));
  }),
  "supervisor.readProcessStdoutLog": m(["string", "string", "int", "int"], "Read length bytes from a process's stdout log at offset",
    (ctx, args) => processLog(ctx, args, "stdout", false)),
  "supervisor.readProcessLog": m(["string", "string", "int", "int"], "Old name of readProcessStdoutLog",
    (ctx, args) => processLog(ctx, args, "stdout", false)),
  "supervisor.readProcessStderrLog": m(["string", "string", "int", "int"], "Read length bytes from a process's stderr log at offset",
    (ctx, args) => processLog(ctx, args, "stderr", false)),
  "supervisor.tailProcessStdoutLog": m(["array", "string", "int", "int"], "Tail a process's stdout log: [bytes, offset, overflow]",
    (ctx, args) => processLog(ctx, args, "stdout", true)),
  "supervisor.tailProcessLog": m(["array", "string", "int", "int"], "Old name of tailProcessStdoutLog",
    (ctx, args) => processLog(ctx, args, "stdout", true)),
  "supervisor.tailProcessStderrLog": m(["array", "string", "int", "int"], "Tail a process's stderr log: [bytes, offset, overflow]",
    (ctx, args) => processLog(ctx, args, "stderr", true)),
  "supervisor.clearProcessLogs": m(["boolean", "string"], "Clear a process's stdout and stderr logs", clearOne),
  "supervisor.clearProcessLog": m(["boolean", "string"], "Old name of clearProcessLogs", clearOne),
  "supervisor.clearAllProcessLogs": m(["array"], "Clear every process's logs", (ctx) => {
    live(ctx.port);
    return inOrder(ctx.port.processes()).map((p) => {
      try {
        clearOne(ctx, [makeName(p.group, p.name)]);
        return result(p, Faults.SUCCESS, "OK");
      } catch (e) {
        if (!(e instanceof RpcFault)) throw e;
        return result(p, e.code, e.text);
      }
    });
  }),
  "supervisor.sendProcessStdin": m(["boolean", "string", "string"], "Write chars to a process's stdin", ({ port }, [name, chars]) => {
    live(port);
    if (typeof chars !== "string") throw new RpcFault("INCORRECT_PARAMETERS", String(chars));
    const { process } = lookup(port, str(name));
    if (!process) throw new RpcFault("BAD_NAME", str(name));
    if (!process.pid || process.state === ProcessStates.STOPPING) throw new RpcFault("NOT_RUNNING", str(name));
    if (!port.writeStdin) throw new RpcFault("FAILED", "corral does not keep a stdin pipe to its programs");
    if (!port.writeStdin(process.group, process.name, chars)) throw new RpcFault("NO_FILE", str(name));
    return true;
  }),
  "supervisor.sendRemoteCommEvent": m(["boolean", "string", "string"],
    "Send a REMOTE_COMMUNICATION event (type:TYPE, a newline, then data) to the event listeners that subscribe to it",
    ({ port }, [type, data]) => (live(port), port.remoteCommunication?.(pythonStr(type), pythonStr(data)), true)),
  "corral.getReadiness": m(["array", "array"],
    "corral's own: for each named process (default every autostart one) {name, group, state, statename, ready, reason}; " +
    "ready is true when it is RUNNING and its ready= probe passes",
    (ctx, [names]) => readiness(ctx, names), 1),
};
