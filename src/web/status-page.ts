// index.html: supervisord's status table (web.py StatusView: sorted by group then name, the
// actions each state allows, with its labels and CSS classes) and corral's additions: group
// actions, readiness, restarts and last exit, actions as POST forms, a table that updates itself.
import { processInfo, type MethodContext } from "../rpc/methods.ts";
import { makeName } from "../rpc/names.ts";
import type { ProcessInfo } from "../rpc/port.ts";
import { ProcessStates } from "../rpc/states.ts";
import { quote } from "./form.ts";
import { escape, page } from "./html.ts";

/** supervisord's CSS class for a state. */
function stateClass(state: number): string {
  if (state === ProcessStates.RUNNING) return "statusrunning";
  return state === ProcessStates.FATAL || state === ProcessStates.BACKOFF ? "statuserror" : "statusnominal";
}

const button = (action: string, label: string) => `<button name=action value=${action}>${label}</button>`;

/** A form POSTing `processname` with one button per [action, label]. */
const actionForm = (name: string, buttons: [string, string][]) =>
  `<form method=post action=index.html><input type=hidden name=processname value="${escape(name)}">${buttons.map(([a, l]) => button(a, l)).join("")}</form>`;

/** supervisord's actions_for_process: which buttons a state allows, in its order, then the two tails. */
function actions(name: string, state: number): string {
  const buttons: [string, string][] = state === ProcessStates.RUNNING ? [["restart", "Restart"], ["stop", "Stop"]]
    : [ProcessStates.STOPPED, ProcessStates.EXITED, ProcessStates.FATAL].includes(state as 0) ? [["start", "Start"]] : [];
  buttons.push(["clearlog", "Clear Log"]);
  const q = quote(name);
  return `${actionForm(name, buttons)}<a href="logtail/${q}" target=_blank>Tail -f Stdout</a><a href="logtail/${q}/stderr" target=_blank>Tail -f Stderr</a>`;
}

/** The readiness cell: ready, or why not (only a RUNNING process can be ready). */
function readiness(ctx: MethodContext, p: ProcessInfo): string {
  if (p.state !== ProcessStates.RUNNING) return "-";
  const r = ctx.port.readiness(p.group, p.name);
  return r.ready ? "ready" : escape(r.reason || "not ready");
}

/** One process's row; `data-process` names it for scripts and tests. */
function row(ctx: MethodContext, p: ProcessInfo, now: number): string {
  const info = processInfo(p, now);
  const name = makeName(p.group, p.name);
  const stats = ctx.port.stats?.(p.group, p.name);
  const cell = (k: string, v: string, cls = "") => `<td data-k="${k}"${cls ? ` class=${cls}` : ""}>${v}</td>`;
  return `<tr data-process="${escape(name)}">` +
    cell("state", `<span class=${stateClass(p.state)}>${String(info["statename"]).toLowerCase()}</span>`, "status") +
    cell("description", escape(String(info["description"]))) +
    cell("name", `<a href="tail.html?processname=${quote(name)}" target=_blank>${escape(name)}</a>`) +
    cell("ready", readiness(ctx, p)) +
    cell("restarts", stats ? String(stats.restarts) : "-") +
    cell("last exit", p.stop ? String(p.exitstatus) : "-") +
    cell("action", actions(name, p.state), "act") + "</tr>";
}

/** The group's own row, for groups of more than one process or named apart from their process. */
function groupRow(group: string): string {
  const buttons = actionForm(`${group}:*`, [["start", "Start group"], ["stop", "Stop group"], ["restart", "Restart group"]]);
  return `<tr class=group data-group="${escape(group)}"><th colspan=7>${escape(group)} ${buttons}</th></tr>`;
}

/**
 * The table's rows, sorted by group then name as supervisord sorts them (rows.html serves them alone).
 * @example statusRows({ port, logs }) // "<tr data-process=\"web\">…"
 */
export function statusRows(ctx: MethodContext): string {
  const now = ctx.port.now();
  const procs = [...ctx.port.processes()].sort((a, b) => (a.group + "\0" + a.name < b.group + "\0" + b.name ? -1 : 1));
  if (!procs.length) return `<tr><td colspan=7>No programs to manage</td></tr>`;
  let out = "";
  let group: string | undefined;
  for (const p of procs) {
    if (p.group !== group) {
      group = p.group;
      const members = procs.filter((q) => q.group === group);
      if (members.length > 1 || members[0]!.name !== group) out += groupRow(group);
    }
    out += row(ctx, p, now);
  }
  return out;
}

/**
 * The whole status page, with `message` (from ?message=) shown above the table.
 * @example statusPage({ port, logs }, "Process web stopped") // "<!doctype html>…Process web stopped…"
 */
export function statusPage(ctx: MethodContext, message: string | undefined): string {
  const { port } = ctx;
  const bar = `<form method=post action=index.html class=bar>${button("refresh", "Refresh")}${button("restartall", "Restart All")}${button("stopall", "Stop All")}</form>`;
  const head = "<tr><th>State</th><th>Description</th><th>Name</th><th>Ready</th><th>Restarts</th><th>Last exit</th><th>Action</th></tr>";
  return page("Supervisor Status", `<header><h1>corral</h1><span>${escape(port.identification)} &middot; pid ${port.pid}</span></header><main>` +
    (message !== undefined ? `<div id=statusmessage class=status_msg>${escape(message)}</div>` : "") + bar +
    `<div class=wrap><table id=statustable><thead>${head}</thead><tbody data-live>${statusRows(ctx)}</tbody></table></div></main>` +
    `<footer>corral ${escape(port.version)} &middot; <a href="metrics">metrics</a></footer>`);
}
