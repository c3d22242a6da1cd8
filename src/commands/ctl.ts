// `corral ctl`: start/stop/quit/restart/status over control sockets, without nc or find.
import mri from "mri";
import { basename, dirname, join } from "node:path";
import type { Os } from "../os/types.ts";
import { UsageError } from "../core/errors.ts";
import { parseDuration } from "../core/duration.ts";
import { controlPaths, DEFAULT_BASE_DIR, SOCKET_SUFFIX } from "../control/paths.ts";
import { findSockets, queryStatus, sendCommand } from "./client.ts";
import type { ControlCommand, StatusReply } from "../core/control-protocol.ts";
import { ctlServer, type CtlServer } from "./ctl-server.ts";
import { pathExists, readText } from "../os/control-files.ts";

/** How long --wait waits for the target state. */
export const DEFAULT_WAIT_MS = 30_000;
const POLL_MS = 100;

const USAGE = `Usage: corral ctl [--base-dir DIR] [--wait] [--timeout 30s] VERB TARGET...
  VERB     start | stop | restart | quit | status
  TARGET   --all or all (every *${SOCKET_SUFFIX} under DIR/data), JOB, JOB/PROC,
           a program name, or a socket path
Exit codes: 0 done, 1 a socket did not answer or --wait timed out, 2 usage.

Config mode (corral --config; also supervisorctl's server):
  corral ctl [--server URL | --control-socket PATH | -c FILE] [--username U --password P] VERB ...
  VERB     status [NAME...] | start|stop|restart NAME|GROUP:*|all... | signal SIG NAME|all...
           | pid [NAME|all] | ready [NAME...]
  Chosen when one of these flags or $CORRAL_CONTROL_SOCKET is given, for signal/pid/ready,
  or when /run/corral/corral.sock exists (and --base-dir is not given). Output and exit codes
  are supervisorctl's; ready exits 0 when every named (default: autostart) program is
  RUNNING and its ready= probe passes, else 1 with one line saying which and why.
`;

const VERBS: Readonly<Record<string, ControlCommand>> = {
  start: "START", stop: "STOP", restart: "RESTART", quit: "QUIT", status: "STATUS",
};

/**
 * The sockets a target names, below `base`.
 * @example resolveTargets("/var/vcap", ["web/nginx"], false) // ["/var/vcap/data/web/nginx_containerrun.sock"]
 */
export function resolveTargets(base: string, targets: string[], all: boolean): string[] {
  const data = join(base, "data");
  if (all || targets.includes("all")) return findSockets(data);
  if (targets.length === 0) throw new UsageError("expected --all, JOB, JOB/PROC, a program name or a socket path");
  return targets.flatMap((t) => {
    if (t.endsWith(".sock") || t.startsWith("/")) return [t];
    if (t.includes("/")) {
      const [job, proc] = t.split("/") as [string, string];
      return [controlPaths(base, job, proc).socket];
    }
    const inJob = findSockets(join(data, t));
    if (inJob.length) return inJob;
    const byName = findSockets(data).filter((s) => basename(s) === `${t}${SOCKET_SUFFIX}`);
    if (byName.length) return byName;
    throw new UsageError(`no control socket for "${t}" under ${data}`);
  });
}

function describe(socket: string): { job: string; process: string } {
  return { job: basename(dirname(socket)), process: basename(socket).slice(0, -SOCKET_SUFFIX.length) };
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

/**
 * Formats STATUS replies as a table.
 * @example statusTable(await queryStatus(os, resolveTargets("/var/vcap", [], true))) // "JOB  PROCESS  STATE  PID …"
 */
export function statusTable(replies: Map<string, StatusReply | undefined>): string {
  const rows = [["JOB", "PROCESS", "STATE", "PID", "SINCE", "RESTARTS", "LAST EXIT"]];
  for (const [socket, r] of replies) {
    const { job, process } = r ?? describe(socket);
    rows.push(r
      ? [job, process, r.state, r.pid ? String(r.pid) : "-", ago(r.since), String(r.restarts), r.lastExit === null ? "-" : String(r.lastExit)]
      : [job, process, "UNREACHABLE", "-", "-", "-", "-"]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n") + "\n";
}

const reached = (command: ControlCommand, state: string) =>
  command === "STOP" ? ["STOPPED", "EXITED", "FATAL"].includes(state) : state === "RUNNING";

/**
 * Entry point for `corral ctl ...`.
 * @example await ctlMain(os, ["stop", "--all", "--wait"]) // corral ctl stop --all --wait: 0 once all are stopped
 */
export async function ctlMain(os: Os, args: string[]): Promise<number> {
  if (!args.includes("--help") && !args.includes("-h")) {
    const chosen = ctlServer(args, os.env, readText, pathExists);
    if (chosen) return configMode(chosen.server, chosen.rest);
  }
  let unknown: string | undefined;
  const flags = mri(args, {
    boolean: ["all", "wait", "help"], string: ["base-dir", "timeout"],
    alias: { all: [], wait: [], help: ["h"], "base-dir": [], timeout: [] },
    unknown: (f) => { unknown = f; },
  });
  if (unknown) throw new UsageError(`unknown option ${unknown} (see corral ctl --help)`);
  const [verb, ...targets] = flags._.map(String);
  if (flags["help"] || verb === undefined) {
    process.stdout.write(USAGE);
    return verb === undefined && !flags["help"] ? 2 : 0;
  }
  const command = VERBS[verb];
  if (!command) throw new UsageError(`expected start, stop, restart, quit or status, got "${verb}"`);
  const base = (flags["base-dir"] as string | undefined) ?? os.env["CORRAL_BASE_DIR"] ?? DEFAULT_BASE_DIR;
  const timeoutMs = flags["timeout"] ? parseDuration("--timeout", String(flags["timeout"])) : DEFAULT_WAIT_MS;
  const sockets = resolveTargets(base, targets, flags["all"] === true);
  if (sockets.length === 0) {
    process.stderr.write(`corral ctl: no control sockets under ${join(base, "data")}\n`);
    return 1;
  }

  if (command === "STATUS") {
    const replies = await queryStatus(os, sockets);
    process.stdout.write(statusTable(replies));
    return [...replies.values()].every(Boolean) ? 0 : 1;
  }
  let failed = 0;
  for (const socket of sockets) {
    const err = await sendCommand(os, socket, command);
    if (err !== 0) {
      failed++;
      process.stderr.write(`corral ctl: ${socket}: not reachable (errno ${-err})\n`);
    }
  }
  if (!flags["wait"] || command === "QUIT") return failed ? 1 : 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const replies = await queryStatus(os, sockets);
    const waiting = [...replies].filter(([, r]) => !r || !reached(command, r.state));
    if (waiting.length === 0) return failed ? 1 : 0;
    if (Date.now() > deadline) {
      process.stderr.write(`corral ctl: timed out waiting for ${waiting.map(([s]) => s).join(", ")}\n`);
      return 1;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Config mode: the verb over the control API (XML-RPC), output as supervisorctl's. */
async function configMode(server: CtlServer, rest: string[]): Promise<number> {
  const unknown = rest.find((a) => a.startsWith("-") && !["--all", "--wait"].includes(a));
  if (unknown) throw new UsageError(`unknown option ${unknown} in config mode (see corral ctl --help)`);
  // container-run spellings mean the same here: --all is all, and config mode always waits.
  const [verb, ...names] = rest.filter((a) => a !== "--wait").map((a) => (a === "--all" ? "all" : a));
  if (verb === undefined) throw new UsageError("expected a verb: status, start, stop, restart, signal, pid or ready");
  const [{ ctlConfigMode }, { rpcCaller }, { requestStream }] = await Promise.all([
    import("./ctl-config.ts"), import("../rpc/client.ts"), import("../os/control-net.ts"),
  ]);
  const { lines, code } = await ctlConfigMode(rpcCaller(requestStream, server.address, server.credentials), server.serverurl, verb, names);
  if (lines.length) process.stdout.write(lines.join("\n") + "\n");
  return code;
}
