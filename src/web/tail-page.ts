// tail.html?processname=NAME[&limit=N]: supervisord's TailView (the last max(N, 1024) bytes of
// the process's stdout log, its messages when there is none), plus a script that follows it.
import { Faults, RpcFault } from "../rpc/faults.ts";
import { SUPERVISOR_METHODS, type MethodContext } from "../rpc/methods.ts";
import type { Form } from "./form.ts";
import { quote } from "./form.ts";
import { escape, page } from "./html.ts";

/** The least supervisord's tail page shows, in bytes (also its default). */
export const TAIL_MIN_BYTES = 1024;

/** What the page shows for `processname`: its log's tail, or supervisord's words for why not. */
async function tailOf(ctx: MethodContext, processname: string, limit: number): Promise<string> {
  try {
    return String(await SUPERVISOR_METHODS["supervisor.readProcessStdoutLog"]!.run(ctx, [processname, -limit, 0]));
  } catch (e) {
    if (!(e instanceof RpcFault)) throw e;
    return e.code === Faults.NO_FILE ? `No file for ${processname}` : `ERROR: unexpected rpc fault [${e.code}] ${e.text}`;
  }
}

/**
 * The tail page for the form's processname and limit.
 * @example await tailPage({ port, logs }, parseForm("processname=web", "")) // "<!doctype html>…<pre …>web up\n</pre>…"
 */
export async function tailPage(ctx: MethodContext, form: Form): Promise<string> {
  const processname = form.get("processname");
  const given = form.get("limit") ?? "";
  const limit = /^\d+$/.test(given) ? Math.max(TAIL_MIN_BYTES, Number(given)) : TAIL_MIN_BYTES;
  const text = processname === undefined ? "No process name found" : await tailOf(ctx, processname, limit);
  const refresh = processname === undefined ? "" :
    `<p><a href="tail.html?processname=${quote(processname)}&amp;limit=${limit}"><button type=button>Refresh</button></a> <a href="index.html">Status</a></p>`;
  return page(`Supervisor tail of process ${processname ?? "None"}`, `<main><pre id=tailbody data-follow>${escape(text)}</pre>${refresh}</main>`);
}
