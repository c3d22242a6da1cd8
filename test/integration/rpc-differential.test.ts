// The XML-RPC API, differentially: every method of system.listMethods() called with valid and
// invalid arguments by supervisor's own Python client (test/fixtures/differential/rpc-transcript.py),
// first against Debian's supervisord, then against real corral as PID 1 on the same config.
// Each call must give the same fault code and text, or the same value once pids, times and
// temp paths are normalized; the few calls that differ on purpose are named in DEVIATIONS
// (docs/migrating-from-supervisord.md has the table) and compared by shape only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, includeLayout, skip, start, until } from "../helpers.ts";

const DRIVER = join(process.cwd(), "test/fixtures/differential/rpc-transcript.py");

/** supervisord's own interpreter (its shebang), which has the supervisor package. */
function python(): string {
  const which = ["/usr/bin/supervisord", "/usr/local/bin/supervisord"].find((f) => existsSync(f));
  const line = which ? readFileSync(which, "utf8").split("\n")[0]! : "";
  return line.startsWith("#!") ? line.slice(2).trim().split(" ")[0]! : "python3";
}

/** The programs: every process state a client meets, log files for the log methods. */
const programs = (dir: string, edited = false) => {
  const web = `[program:web]
command=sh -c 'trap "" HUP USR1; echo "web up"; echo "web err" >&2; exec sleep 1000'
stdout_logfile=${dir}/web.log
stderr_logfile=${dir}/web-err.log
`;
  const manual = `[program:manual]
command=sleep 1000
autostart=false
startsecs=${edited ? 2 : 1}
stdout_logfile=${dir}/manual.log
stderr_logfile=${dir}/manual-err.log
`;
  const rest = `[program:fatal]
command=/bin/false
startretries=0
stdout_logfile=${dir}/fatal.log
stderr_logfile=${dir}/fatal-err.log

[program:once]
command=sh -c 'exit 3'
startsecs=0
autorestart=false
stdout_logfile=${dir}/once.log
stderr_logfile=${dir}/once-err.log

[group:grp]
programs=worker

[program:worker]
command=sleep 1000
process_name=%(program_name)s_%(process_num)s
numprocs=2
stdout_logfile=${dir}/worker-%(process_num)s.log
redirect_stderr=true

[eventlistener:remote]
command=sh -c 'printf "READY\\n"; while read h; do d=$(head -c "\${h##*len:}"); printf "%%s|\\n" "$d" >> ${dir}/remote.txt; printf "RESULT 2\\nOKREADY\\n"; done'
events=REMOTE_COMMUNICATION
stdout_logfile=${dir}/remote-out.log
stderr_logfile=${dir}/remote-err.log
`;
  // The edit moves web below the others and adds a comment: only manual (startsecs) changed; once is gone, extra is new.
  return edited
    ? `; edited\n${manual}\n${rest.replace(/\[program:once\][^[]*/, "")}\n[program:extra]\ncommand=sleep 1000\nstdout_logfile=${dir}/extra.log\nstderr_logfile=${dir}/extra-err.log\n\n${web}`
    : `${web}\n${manual}\n${rest}`;
};

type Call = [string, unknown[]];
const SETTLED = ["remote:remote=RUNNING", "web:web=RUNNING", "manual:manual=STOPPED", "fatal:fatal=FATAL", "once:once=EXITED", "grp:worker_0=RUNNING", "grp:worker_1=RUNNING"];

/** The transcript; `dir` is where the config lives (for the edit). */
function calls(dir: string): Call[] {
  const bad = ["nosuch", "grp:nosuch", "nosuch:*", 5];
  return [
    ["wait", SETTLED],
    ["system.listMethods", []], ["system.listMethods", ["x"]],
    ["system.methodHelp", ["nosuch.method"]], ["system.methodHelp", []],
    ["system.methodSignature", ["supervisor.startProcess"]], ["system.methodSignature", ["supervisor.getState"]],
    ["system.methodSignature", ["supervisor.tailProcessStdoutLog"]], ["system.methodSignature", ["nosuch.method"]],
    ["system.multicall", [[{ methodName: "supervisor.getAPIVersion", params: [] }, { methodName: "supervisor.getProcessInfo", params: ["nosuch"] },
      { methodName: "nosuch.method", params: [] }, { methodName: "system.multicall", params: [[]] }]]],
    ["system.multicall", ["x"]],
    ["supervisor.getAPIVersion", []], ["supervisor.getVersion", []], ["supervisor.getSupervisorVersion", []],
    ["supervisor.getIdentification", []], ["supervisor.getState", []], ["supervisor.getPID", []], ["supervisor.getState", [1]],
    ["supervisor.getAllProcessInfo", []],
    ...["web", "fatal", "once", "manual", "grp:worker_0", "grp:*", ...bad].map((n): Call => ["supervisor.getProcessInfo", [n]]),
    ["supervisor.getProcessInfo", []],
    ["supervisor.getAllConfigInfo", []],
    ["supervisor.startProcess", ["web"]], ["supervisor.startProcess", ["nosuch"]], ["supervisor.startProcess", ["nosuch:*"]],
    ["supervisor.startProcess", ["manual"]], ["supervisor.getProcessInfo", ["manual"]], ["supervisor.stopProcess", ["manual"]],
    ["supervisor.stopProcess", ["manual"]], ["supervisor.getProcessInfo", ["manual"]], ["supervisor.stopProcess", ["fatal"]],
    ["supervisor.startProcess", ["manual", false]], ["wait", ["manual:manual=RUNNING"]], ["supervisor.stopProcess", ["manual", false]],
    ["wait", ["manual:manual=STOPPED"]], ["supervisor.startProcess", ["fatal"]], ["wait", ["fatal:fatal=FATAL"]], ["supervisor.getProcessInfo", ["fatal"]],
    ["supervisor.startProcess", []], ["supervisor.stopProcess", [5]],
    ["supervisor.stopProcessGroup", ["grp"]], ["supervisor.stopProcessGroup", ["grp"]], ["supervisor.startProcessGroup", ["grp"]],
    ["supervisor.startProcessGroup", ["grp"]], ["supervisor.startProcessGroup", ["nosuch"]], ["supervisor.stopProcessGroup", ["nosuch"]],
    ["supervisor.startProcessGroup", ["grp", false]], ["wait", ["grp:worker_0=RUNNING", "grp:worker_1=RUNNING"]],
    ["supervisor.signalProcess", ["web", "HUP"]], ["supervisor.signalProcess", ["web", "USR1"]], ["supervisor.signalProcess", ["web", 1]],
    ["supervisor.signalProcess", ["web", "BOGUS"]], ["supervisor.signalProcess", ["manual", "HUP"]], ["supervisor.signalProcess", ["nosuch", "HUP"]],
    ["supervisor.signalProcess", ["web"]], ["supervisor.signalProcessGroup", ["grp", "CONT"]], ["supervisor.signalProcessGroup", ["nosuch", "CONT"]],
    ["supervisor.signalProcessGroup", ["grp", "BOGUS"]], ["supervisor.signalAllProcesses", ["CONT"]], ["supervisor.signalAllProcesses", ["BOGUS"]],
    ["supervisor.readProcessStdoutLog", ["web", 0, 100]], ["supervisor.readProcessStdoutLog", ["web", -3, 0]],
    ["supervisor.readProcessStdoutLog", ["web", 1000, 10]], ["supervisor.readProcessStdoutLog", ["web", -1, 10]],
    ["supervisor.readProcessStdoutLog", ["nosuch", 0, 10]], ["supervisor.readProcessStdoutLog", ["web", "x", 10]],
    ["supervisor.readProcessLog", ["web", 0, 100]], ["supervisor.readProcessStderrLog", ["web", 0, 100]],
    ["supervisor.tailProcessStdoutLog", ["web", 0, 100]], ["supervisor.tailProcessStdoutLog", ["web", 3, 5]],
    ["supervisor.tailProcessLog", ["web", 0, 100]], ["supervisor.tailProcessStderrLog", ["web", 0, 100]],
    ["supervisor.tailProcessStdoutLog", ["nosuch", 0, 100]], ["supervisor.tailProcessStdoutLog", ["web", -1, 100]],
    ["supervisor.clearProcessLogs", ["web"]], ["supervisor.readProcessStdoutLog", ["web", 0, 100]], ["supervisor.clearProcessLog", ["web"]],
    ["supervisor.clearProcessLogs", ["nosuch"]], ["supervisor.clearAllProcessLogs", []],
    ["supervisor.sendProcessStdin", ["web", "hello\n"]], ["supervisor.sendProcessStdin", ["manual", "x"]],
    ["supervisor.sendProcessStdin", ["nosuch", "x"]], ["supervisor.sendProcessStdin", ["web", 5]], ["supervisor.sendProcessStdin", ["web"]],
    ["supervisor.sendRemoteCommEvent", ["mytype", "some data"]], ["read", [join(dir, "remote.txt"), "some data|"]],
    ["supervisor.sendRemoteCommEvent", ["two", "lines\nof data"]], ["read", [join(dir, "remote.txt"), "of data|"]], ["supervisor.sendRemoteCommEvent", [1, 2]], ["supervisor.sendRemoteCommEvent", ["x"]],
    ["supervisor.reloadConfig", []], ["supervisor.addProcessGroup", ["web"]], ["supervisor.addProcessGroup", ["nosuch"]],
    ["supervisor.removeProcessGroup", ["web"]], ["supervisor.removeProcessGroup", ["nosuch"]],
    ["write", [join(dir, "programs.conf"), programs(dir, true)]],
    ["supervisor.reloadConfig", []], ["supervisor.getAllConfigInfo", []],
    ["supervisor.addProcessGroup", ["extra"]], ["supervisor.addProcessGroup", ["extra"]], ["wait", ["extra:extra=RUNNING"]],
    ["supervisor.removeProcessGroup", ["once"]], ["supervisor.removeProcessGroup", ["once"]], ["supervisor.getProcessInfo", ["once"]],
    ["supervisor.stopProcessGroup", ["extra"]], ["supervisor.removeProcessGroup", ["extra"]], ["supervisor.addProcessGroup", ["extra"]],
    ["supervisor.reloadConfig", []],
    ["supervisor.stopAllProcesses", []], ["supervisor.getAllProcessInfo", []], ["supervisor.startAllProcesses", []],
    ["supervisor.shutdown", []], ["supervisor.getState", []],
  ];
}

/** Calls whose answer differs on purpose (the deviation table): compared by shape only, with the reason. */
const DEVIATIONS: Record<string, string> = {
  "supervisor.getSupervisorVersion": "corral's own version",
  "system.methodHelp": "corral's own help texts",
};

/**
 * The deviations in how an answer is made, applied to corral's answer for `method`:
 * - corral's own methods (corral.*) are listed too;
 * - an argument of the wrong type is a fault 2 INCORRECT_PARAMETERS from corral where
 *   supervisord fails with an HTTP 500 (its method raised a Python TypeError).
 */
function asSupervisord(method: string, ours: Record<string, unknown>, anchor: Record<string, unknown>): Record<string, unknown> {
  if (method === "system.listMethods" && Array.isArray(ours["value"])) return { value: ours["value"].filter((m) => !String(m).startsWith("corral.")) };
  if (anchor["error"] === "ProtocolError" && /500/.test(String(anchor["text"])) && ours["fault"] === 2) return anchor;
  return ours;
}

/**
 * supervisord's own race: a start of a program that exits at once (/bin/false) is answered
 * SPAWN_ERROR, or ABNORMAL_TERMINATION when its process ended before startProcess looked
 * again; both mean the start failed. Taken as the first (for the program `fatal` only).
 */
function settled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(settled);
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (v["status"] === 40 && v["description"] === `ABNORMAL_TERMINATION: ${v["name"]}`) return { ...v, status: 50, description: `SPAWN_ERROR: ${v["name"]}` };
    if (v["fault"] === 40 && v["text"] === "ABNORMAL_TERMINATION: fatal") return { ...v, fault: 50, text: "SPAWN_ERROR: fatal" };
  }
  return value;
}

/** Pids, times, versions and the temp directory differ between the two runs. */
function normal(value: unknown, dir: string, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => normal(v, dir));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = normal((value as Record<string, unknown>)[k], dir, k);
    return out;
  }
  if (typeof value === "number" && ["pid", "start", "stop", "now", "getPID"].includes(key)) return value === 0 ? 0 : "N";
  if (typeof value === "string") {
    return value.split(dir).join("DIR")
      .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime U")
      .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE");
  }
  return value;
}

/** The type skeleton of a value (for DEVIATIONS). */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]));
  return typeof value;
}

/** Results of `all` calls come back as each process finishes: sorted by group and name. */
function ordered(value: unknown): unknown {
  if (!Array.isArray(value) || !value.every((v) => v && typeof v === "object" && "status" in v)) return value;
  const key = (v: { group: string; name: string }) => `${v.group}:${v.name}`;
  return [...value].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function transcript(dir: string): Promise<Array<Record<string, unknown>>> {
  const file = join(dir, "calls.json");
  writeFileSync(file, JSON.stringify(calls(dir)));
  return new Promise((resolve, reject) => execFile(python(), [DRIVER, join(dir, "s.sock"), file], { timeout: 120_000 }, (err, stdout, stderr) =>
    err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))));
}

const layout = (dir: string): string => includeLayout(dir, programs(dir));

const base = mkdtempSync(join(tmpdir(), "corral-rpcdiff-"));
test.after(() => rmSync(base, { recursive: true, force: true }));

test("every XML-RPC method, with valid and invalid arguments: the same faults and values from corral as from supervisord", async () => {
  if (!have("supervisord")) return skip("supervisord is not installed");
  // The two servers run side by side (each waits on its own ticks and timers, not on the CPU).
  const realDir = join(base, "real"), ourDir = join(base, "corral");
  const real = async () => {
    const supervisord = spawn("supervisord", ["-n", "-c", layout(realDir)], { stdio: "ignore" });
    try {
      await until("supervisord's socket", () => existsSync(join(realDir, "s.sock")));
      return await transcript(realDir);
    } finally {
      supervisord.kill("SIGTERM");
    }
  };
  const corral = async () => {
    const c = start(["--config", layout(ourDir)]);
    try {
      await until("corral's socket", () => existsSync(join(ourDir, "s.sock")));
      const out = await transcript(ourDir);
      await c.done;
      return out;
    } catch (e) {
      c.child.kill("SIGKILL");
      throw new Error(`${e}; corral said: ${c.stderr()}`);
    }
  };
  const [anchor, ours] = await Promise.all([real(), corral()]);
  const list = calls(ourDir);
  const differ: string[] = [];
  list.forEach(([method, args], i) => {
    const why = DEVIATIONS[method];
    const view = (r: Record<string, unknown>, dir: string) => {
      const v = { ...(settled(r) as Record<string, unknown>), value: method === "supervisor.getPID" ? normal(r["value"], dir, "getPID") : settled(ordered(r["value"])) };
      return JSON.stringify(why ? shape(normal(v, dir)) : normal(v, dir), null, 1);
    };
    const want = view(anchor[i]!, realDir), got = view(asSupervisord(method, ours[i]!, anchor[i]!), ourDir);
    if (want !== got) differ.push(`#${i} ${method}(${JSON.stringify(args).slice(1, -1)})\n  supervisord: ${want.replace(/\n/g, "")}\n  corral:      ${got.replace(/\n/g, "")}`);
  });
  assert.is(differ.length, 0, `${differ.length} of ${list.length} calls differ:\n${differ.join("\n")}`);
});

test.run();
