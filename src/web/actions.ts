// index.html?action=…: supervisord's web actions (web.py StatusView.make_callback) with their
// exact messages, run through the XML-RPC method table; and corral's group actions (GROUP:*).
import type { RpcValue } from "../rpc/codec.ts";
import { Faults, RpcFault } from "../rpc/faults.ts";
import { SUPERVISOR_METHODS, type MethodContext } from "../rpc/methods.ts";
import { splitName } from "../rpc/names.ts";
import { ctime } from "./form.ts";

const call = async (ctx: MethodContext, method: string, ...args: RpcValue[]): Promise<RpcValue> =>
  SUPERVISOR_METHODS[`supervisor.${method}`]!.run(ctx, args);

/** supervisord's words for the faults a start can end in. */
const START_FAULTS: Readonly<Record<number, string>> = {
  [Faults.NO_FILE]: "no such file", [Faults.NOT_EXECUTABLE]: "file not executable", [Faults.ALREADY_STARTED]: "already started",
  [Faults.SPAWN_ERROR]: "spawn error", [Faults.ABNORMAL_TERMINATION]: "abnormal termination",
};

const unexpected = (e: RpcFault) => `unexpected rpc fault [${e.code}] ${e.text}`;

/** Runs `fn`; an RpcFault becomes `onFault`'s message, anything else is thrown on. */
async function attempt(fn: () => Promise<unknown>, ok: string, onFault: (e: RpcFault) => string): Promise<string> {
  try {
    await fn();
    return ok;
  } catch (e) {
    if (e instanceof RpcFault) return onFault(e);
    throw e;
  }
}

/** One process's action, as supervisord words it. */
function processAction(ctx: MethodContext, name: string, action: string): Promise<string> | undefined {
  switch (action) {
    case "start":
      return attempt(() => call(ctx, "startProcess", name), `Process ${name} started`,
        (e) => `ERROR: Process ${name}: ${START_FAULTS[e.code] ?? unexpected(e)}`);
    case "stop":
      return attempt(() => call(ctx, "stopProcess", name), `Process ${name} stopped`, unexpected);
    case "restart":
      return (async () => {
        await call(ctx, "stopProcess", name).catch(ignoreFault);
        await call(ctx, "startProcess", name).catch(ignoreFault);
        return `Process ${name} restarted`;
      })();
    case "clearlog":
      return attempt(() => call(ctx, "clearProcessLogs", name), `Log for ${name} cleared`, unexpected);
  }
  return undefined;
}

/** As supervisord's system.multicall, a restart goes on past a fault. */
function ignoreFault(e: unknown): void {
  if (!(e instanceof RpcFault)) throw e;
}

/** corral's group actions: `GROUP:*` with start, stop or restart. */
async function groupAction(ctx: MethodContext, group: string, action: string): Promise<string | undefined> {
  const verb = { start: "started", stop: "stopped", restart: "restarted" }[action];
  if (!verb) return undefined;
  const failed: string[] = [];
  const collect = (results: RpcValue) => {
    for (const r of results as { name: string; status: number; description: string }[]) {
      if (r.status !== Faults.SUCCESS) failed.push(`${r.name}: ${r.description}`);
    }
  };
  // A restart's stop is quiet: a member that was not running is simply started.
  if (action !== "start") {
    const stopped = await call(ctx, "stopProcessGroup", group);
    if (action === "stop") collect(stopped);
  }
  if (action !== "stop") collect(await call(ctx, "startProcessGroup", group));
  return failed.length ? `ERROR: Group ${group}: ${failed.join(", ")}` : `Group ${group} ${verb}`;
}

/**
 * Runs `action` (on `processname` for a process's actions) and returns the message the page
 * shows next; undefined when the action is not one the page knows (supervisord answers 500).
 * @example await runAction({ port, logs }, "stop", "web", () => new Date()) // "Process web stopped"
 */
export async function runAction(ctx: MethodContext, action: string, processname: string | undefined, now: () => Date): Promise<string | undefined> {
  if (action === "refresh") return `Page refreshed at ${ctime(now())}`;
  if (action === "stopall") {
    await call(ctx, "stopAllProcesses").catch(ignoreFault);
    return `All stopped at ${ctime(now())}`;
  }
  if (action === "restartall") {
    await call(ctx, "stopAllProcesses").catch(ignoreFault);
    await call(ctx, "startAllProcesses").catch(ignoreFault);
    return `All restarted at ${ctime(now())}`;
  }
  if (!processname) return undefined;
  const { group, process } = splitName(processname);
  const members = ctx.port.processes().filter((p) => p.group === group);
  if (process === undefined && members.length && processname.endsWith(":*")) {
    return (await groupAction(ctx, group, action).catch((e) => (e instanceof RpcFault ? unexpected(e) : Promise.reject(e)))) ??
      `No such process named ${processname}`;
  }
  if (!members.some((p) => p.name === process)) return `No such process named ${processname}`;
  return processAction(ctx, processname, action);
}
