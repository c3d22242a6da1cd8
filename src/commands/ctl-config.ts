// `corral ctl` in config mode: supervisorctl's status, start, stop, restart, signal and pid
// (same output, same exit codes) plus `ready`, over the control API, without Python.
import type { RpcValue } from "../rpc/codec.ts";
import { Faults } from "../rpc/faults.ts";
import { makeName, splitName } from "../rpc/names.ts";
import { RemoteFault, TransportError, type Caller } from "../rpc/client.ts";
import { STOPPED_STATES } from "../rpc/states.ts";

/** supervisorctl's exit codes (LSB init / status). */
export const EXIT = { SUCCESS: 0, GENERIC: 1, INVALID_ARGS: 2, INSUFFICIENT_PRIVILEGES: 4, NOT_RUNNING: 7, STATUS_NOT_RUNNING: 3, STATUS_UNKNOWN: 4 } as const;

type Info = { name: string; group: string; state: number; statename: string; description: string; pid: number };
type Result = { name: string; group: string; status: number; description: string };

const DEAD = new Set<number>([Faults.SPAWN_ERROR, Faults.ABNORMAL_TERMINATION, Faults.NOT_RUNNING]);

/** Output and exit status of one run, as supervisorctl keeps them. */
class Session {
  code = 0;
  lines: string[] = [];
  say(line: string): void {
    this.lines.push(line);
  }
  fromFault(code: number, ignored?: number): void {
    if (code === ignored || code === Faults.SUCCESS) return;
    this.code = DEAD.has(code) ? EXIT.NOT_RUNNING : EXIT.GENERIC;
  }
}

/**
 * supervisorctl's status lines: name padded to the longest (at least 30) + 3, state padded to 10.
 * @example statusLines([{ name: "web", group: "web", statename: "RUNNING", description: "pid 7, uptime 0:00:05" }])
 */
export function statusLines(infos: readonly Pick<Info, "name" | "group" | "statename" | "description">[]): string[] {
  const names = infos.map((i) => makeName(i.group, i.name));
  const width = Math.max(30, ...names.map((n) => n.length)) + 3;
  return infos.map((i, n) => `${names[n]!.padEnd(width)}${i.statename.padEnd(10)}${i.description}`);
}

const resultLine = (r: Result, success: string): string => {
  const name = makeName(r.group, r.name);
  const errors: Record<number, string> = {
    [Faults.BAD_NAME]: "no such process", [Faults.NO_FILE]: "no such file", [Faults.NOT_EXECUTABLE]: "file is not executable",
    [Faults.ALREADY_STARTED]: "already started", [Faults.SPAWN_ERROR]: "spawn error", [Faults.ABNORMAL_TERMINATION]: "abnormal termination",
    [Faults.BAD_SIGNAL]: "bad signal name", [Faults.NOT_RUNNING]: "not running",
  };
  if (r.status === Faults.SUCCESS) return `${name}: ${success}`;
  if (r.status === Faults.FAILED) return r.description;
  return `${name}: ERROR (${errors[r.status] ?? r.description})`;
};

async function status(call: Caller, s: Session, names: string[]): Promise<void> {
  const all = (await call("supervisor.getAllProcessInfo")) as Info[];
  let shown = all;
  if (names.length && !names.includes("all")) {
    shown = [];
    for (const name of names) {
      const { group, process } = splitName(name);
      const found = all.filter((i) => i.group === group && (process === undefined || i.name === process));
      if (!found.length) {
        s.say(process === undefined ? `${group}: ERROR (no such group)` : `${name}: ERROR (no such process)`);
        s.code = EXIT.STATUS_UNKNOWN;
      }
      shown.push(...found);
    }
  }
  statusLines(shown).forEach((l) => s.say(l));
  if (shown.some((i) => STOPPED_STATES.includes(i.state))) s.code = EXIT.STATUS_NOT_RUNNING;
}

/** start/stop/signal over names: `all`, `GROUP:*` or a process, as supervisorctl's do_start/do_stop/do_signal. */
async function act(call: Caller, s: Session, verb: "start" | "stop" | "signal", names: string[], signal?: string): Promise<void> {
  const word = verb === "start" ? "started" : verb === "stop" ? "stopped" : "signalled";
  const ignored = verb === "start" ? Faults.ALREADY_STARTED : verb === "stop" ? Faults.NOT_RUNNING : undefined;
  const extra: RpcValue[] = signal === undefined ? [] : [signal];
  const report = (results: Result[]) => results.forEach((r) => { s.say(resultLine(r, word)); s.fromFault(r.status, ignored); });
  if (names.includes("all")) return report((await call(`supervisor.${verb}AllProcesses`, ...extra)) as Result[]);
  for (const name of names) {
    const { group, process } = splitName(name);
    try {
      if (process === undefined) report((await call(`supervisor.${verb}ProcessGroup`, group, ...extra)) as Result[]);
      else {
        await call(`supervisor.${verb}Process`, name, ...extra);
        s.say(`${makeName(group, process)}: ${word}`);
      }
    } catch (e) {
      if (!(e instanceof RemoteFault)) throw e;
      if (process === undefined && e.fault.faultCode === Faults.BAD_NAME) {
        s.say(`${group}: ERROR (no such group)`);
        s.code = verb === "start" ? EXIT.INVALID_ARGS : EXIT.GENERIC;
        continue;
      }
      if (process === undefined) throw e;
      const r = { name: process, group, status: e.fault.faultCode, description: e.fault.faultString };
      s.say(resultLine(r, word));
      s.fromFault(r.status, ignored);
    }
  }
}

async function pid(call: Caller, s: Session, names: string[]): Promise<void> {
  if (!names.length) return s.say(String(await call("supervisor.getPID")));
  if (names.includes("all")) {
    for (const i of (await call("supervisor.getAllProcessInfo")) as Info[]) s.say(String(i.pid));
    return;
  }
  for (const name of names) {
    try {
      const info = (await call("supervisor.getProcessInfo", name)) as Info;
      s.say(String(info.pid));
      if (info.pid === 0) s.code = EXIT.NOT_RUNNING;
    } catch (e) {
      if (!(e instanceof RemoteFault) || e.fault.faultCode !== Faults.BAD_NAME) throw e;
      s.code = EXIT.GENERIC;
      s.say(`No such process ${name}`);
    }
  }
}

async function ready(call: Caller, s: Session, names: string[]): Promise<void> {
  const rows = (await call("corral.getReadiness", names)) as { name: string; group: string; statename: string; ready: boolean; reason: string }[];
  const waiting = rows.filter((r) => !r.ready);
  if (waiting.length) {
    s.code = EXIT.GENERIC;
    s.say(`not ready: ${waiting.map((r) => `${makeName(r.group, r.name)} (${r.statename === "RUNNING" ? r.reason || "probe failing" : r.statename})`).join(", ")}`);
  } else {
    s.say(`ready: ${rows.map((r) => makeName(r.group, r.name)).join(", ") || "no programs"}`);
  }
}

/**
 * Runs one config-mode verb against the server `call` talks to; returns the output lines
 * (supervisorctl's wording) and its exit code. `serverurl` names the server in errors.
 * @example await ctlConfigMode(rpcCaller(requestStream, { kind: "unix", path: "/run/corral/corral.sock" }), "unix:///run/corral/corral.sock", "status", []) // { lines: ["web   RUNNING   pid 7, uptime 0:00:05"], code: 0 }
 */
export async function ctlConfigMode(call: Caller, serverurl: string, verb: string, args: string[]): Promise<{ lines: string[]; code: number }> {
  const s = new Session();
  try {
    switch (verb) {
      case "status": await status(call, s, args); break;
      case "start": case "stop":
        if (!args.length) {
          s.say(`Error: ${verb} requires a process name`);
          s.code = verb === "start" ? EXIT.INVALID_ARGS : EXIT.GENERIC;
          break;
        }
        await act(call, s, verb, args);
        break;
      case "restart":
        if (!args.length) {
          s.say("Error: restart requires a process name");
          s.code = EXIT.GENERIC;
          break;
        }
        await act(call, s, "stop", args);
        await act(call, s, "start", args);
        break;
      case "signal":
        if (args.length < 2) {
          s.say("Error: signal requires a signal name and a process name");
          s.code = EXIT.GENERIC;
          break;
        }
        await act(call, s, "signal", args.slice(1), args[0]);
        break;
      case "pid": await pid(call, s, args); break;
      case "ready": await ready(call, s, args); break;
      default:
        s.say(`*** Unknown syntax: ${verb}`);
        s.code = EXIT.GENERIC;
    }
  } catch (e) {
    if (e instanceof TransportError) {
      if (e.code === "ENOENT") return { lines: [...s.lines, `${serverurl} no such file`], code: verb === "status" ? EXIT.STATUS_UNKNOWN : EXIT.NOT_RUNNING };
      if (e.code === "HTTP 401") return { lines: [...s.lines, "Server requires authentication"], code: EXIT.GENERIC };
      if (e.code === "ECONNREFUSED") return { lines: [...s.lines, `${serverurl} refused connection`], code: EXIT.INSUFFICIENT_PRIVILEGES };
      return { lines: [...s.lines, `${serverurl}: ${e.message}`], code: EXIT.GENERIC };
    }
    if (e instanceof RemoteFault) return { lines: [...s.lines, `error: ${e.fault.faultString}`], code: EXIT.GENERIC };
    throw e;
  }
  return { lines: s.lines, code: s.code };
}
