// GET /metrics: Prometheus's text exposition format (0.0.4). Every family has HELP and TYPE;
// per-process values are getProcessInfo's own (the same struct the XML-RPC API returns).
import { processInfo } from "../rpc/methods.ts";
import type { ControlPort } from "../rpc/port.ts";
import { ProcessStates, processStateName } from "../rpc/states.ts";
import type { SelfUsage } from "../os/self-usage.ts";

/** The Content-Type Prometheus asks for with text format 0.0.4. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Every state name, in code order: one corral_process_state series each. */
const STATE_NAMES = Object.keys(ProcessStates);

/** A label value escaped as the format says: backslash, double quote, newline. */
const label = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const labels = (pairs: Record<string, string>) => `{${Object.entries(pairs).map(([k, v]) => `${k}="${label(v)}"`).join(",")}}`;

/** One metric family: HELP, TYPE, then its samples. */
function family(name: string, type: "gauge" | "counter", help: string, samples: [string, number][]): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${samples.map(([l, v]) => `${name}${l} ${v}\n`).join("")}`;
}

/**
 * The whole /metrics body, read from `port` and corral's own usage now.
 * @example metricsText(port, selfUsage()) // "# HELP corral_process_state …\ncorral_process_state{group=\"web\",name=\"web\",state=\"RUNNING\"} 1\n…"
 */
export function metricsText(port: ControlPort, usage: SelfUsage): string {
  const now = port.now();
  const procs = [...port.processes()].sort((a, b) => (a.group + "\0" + a.name < b.group + "\0" + b.name ? -1 : 1));
  const rows = procs.map((p) => ({ p, info: processInfo(p, now), id: { group: p.group, name: p.name } }));
  const each = (value: (r: (typeof rows)[number]) => number): [string, number][] => rows.map((r) => [labels(r.id), value(r)]);
  const stats = port.stats ? rows.map((r) => port.stats!(r.p.group, r.p.name)) : undefined;
  let out = family("corral_process_state", "gauge", "Process state as supervisord names it: 1 for the current state, 0 for the others.",
    rows.flatMap((r) => STATE_NAMES.map((s): [string, number] => [labels({ ...r.id, state: s }), processStateName(r.p.state) === s ? 1 : 0])));
  out += family("corral_process_start_time_seconds", "gauge", "When the process last started, in seconds since the epoch (getProcessInfo's start; 0: never).",
    each((r) => Number(r.info["start"])));
  out += family("corral_process_exit_status", "gauge", "The exit status of the process's last exit (getProcessInfo's exitstatus).",
    each((r) => Number(r.info["exitstatus"])));
  out += family("corral_process_ready", "gauge", "1 when the process is RUNNING and its ready= probe passes (corral.getReadiness).",
    each((r) => (r.p.state === ProcessStates.RUNNING && port.readiness(r.p.group, r.p.name).ready ? 1 : 0)));
  if (stats) {
    out += family("corral_process_exits_total", "counter", "Times the process exited since corral started.", rows.map((r, i) => [labels(r.id), stats[i]?.exits ?? 0]));
    out += family("corral_process_restarts_total", "counter", "Automatic restarts of the process since corral started.", rows.map((r, i) => [labels(r.id), stats[i]?.restarts ?? 0]));
  }
  out += family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", [["", usage.startSeconds]]);
  out += family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", [["", usage.cpuSeconds]]);
  out += family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", [["", usage.residentBytes]]);
  return out;
}
