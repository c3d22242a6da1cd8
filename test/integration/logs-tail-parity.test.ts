// corral's in-memory tail against supervisord's log file, differentially: the same program's
// output, kept by Debian's supervisord in stdout_logfile=FILE and by real corral (PID 1) in the
// tail of a program that logs to /dev/stdout, read with supervisorctl (tail, tail -N, stderr)
// and with supervisor's XML-RPC transport (readProcessStdoutLog / tailProcessStdoutLog at many
// offsets, faults included): every answer the same, while the output fits in the tail.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, skip, start, until, type Running } from "../helpers.ts";

const PYTHON = "/usr/bin/python3";
const ready = have("supervisord") && have("supervisorctl") && existsSync(PYTHON);
const dir = mkdtempSync(join(tmpdir(), "corral-tail-parity-"));
/** 2000 lines, then a last line with no newline, then stderr: 8,910 bytes of stdout. */
const COMMAND = `sh -c 'seq 1 2000; printf "no newline at the end"; echo "on stderr" >&2; exec sleep 1000'`;
const STDOUT_BYTES = Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`).join("").length + "no newline at the end".length;

/** A config for `who`: supervisord keeps files, corral sends output to its own stdout/stderr. */
function layout(who: "supervisord" | "corral"): { conf: string; socket: string } {
  const sub = join(dir, who);
  mkdirSync(sub);
  const socket = join(sub, "s.sock"), conf = join(sub, "s.conf");
  const logs = who === "supervisord"
    ? `stdout_logfile=${sub}/p.out\nstderr_logfile=${sub}/p.err`
    : "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0";
  writeFileSync(conf, `[supervisord]\nlogfile=${sub}/supervisord.log\npidfile=${sub}/supervisord.pid\n
[unix_http_server]\nfile=${socket}\n
[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n
[supervisorctl]\nserverurl=unix://${socket}\n
[program:p]\ncommand=${COMMAND}\nstartsecs=0\n${logs}\n`);
  return { conf, socket };
}

function ctl(conf: string, ...args: string[]): Promise<string> {
  return new Promise((resolve) => execFile("supervisorctl", ["-c", conf, ...args], { timeout: 20_000 },
    (err, stdout, stderr) => resolve(`${stdout}${stderr}exit ${err ? err.code : 0}`)));
}

/** Every call of `calls` through supervisor's own XML-RPC transport: results as JSON, faults as their code. */
function rpcAll(socket: string, calls: Array<[string, ...unknown[]]>): Promise<string[]> {
  const script = `
import json, sys, xmlrpc.client
from supervisor.xmlrpc import SupervisorTransport
proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=SupervisorTransport(None, None, "unix://${socket}"))
for method, *params in json.loads(sys.argv[1]):
    try:
        print(json.dumps(getattr(proxy, method)(*params)))
    except xmlrpc.client.Fault as f:
        print(json.dumps({"fault": f.faultCode}))
`;
  return new Promise((resolve, reject) => execFile(PYTHON, ["-c", script, JSON.stringify(calls)], { timeout: 20_000 },
    (err, stdout, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve(stdout.trim().split("\n")))));
}

const S = STDOUT_BYTES;
const CALLS: Array<[string, ...unknown[]]> = [
  ...[[0, 0], [0, 100], [-50, 0], [-100000, 0], [S - 30, 10], [S - 5, 100], [S, 10], [S + 10, 10], [-1, 5], [5, -1], [100, 0]]
    .map(([o, l]) => ["supervisor.readProcessStdoutLog", "p", o, l] as [string, ...unknown[]]),
  ...[[0, 100], [S - 10, 100], [S, 100], [S + 50, 100], [0, 0], [S - 200, 50], [100, S + 100]]
    .map(([o, l]) => ["supervisor.tailProcessStdoutLog", "p", o, l] as [string, ...unknown[]]),
  ["supervisor.readProcessStderrLog", "p", 0, 0],
  ["supervisor.tailProcessStderrLog", "p", 0, 5],
];
const COMMANDS = [["tail", "p"], ["tail", "-100", "p"], ["tail", "-20000", "p"], ["tail", "p", "stderr"], ["tail", "-3", "p", "stderr"]];

/** What each client sees of `who`'s program p once its output is all there. */
async function transcript(who: "supervisord" | "corral"): Promise<string[]> {
  const { conf, socket } = layout(who);
  let proc: ChildProcess | Running;
  if (who === "supervisord") proc = spawn("supervisord", ["-n", "-c", conf], { stdio: "ignore" });
  else proc = start(["--config", conf]);
  try {
    await until(`${who}'s socket`, () => existsSync(socket));
    await until(`${who}: p's output`, async () => JSON.parse((await rpcAll(socket, [["supervisor.tailProcessStdoutLog", "p", 0, 0]]))[0]!)[1] === S &&
      (await ctl(conf, "tail", "p", "stderr")).startsWith("on stderr"));
    const out: string[] = [];
    for (const c of COMMANDS) out.push(`supervisorctl ${c.join(" ")}: ${await ctl(conf, ...c)}`);
    const answers = await rpcAll(socket, CALLS);
    CALLS.forEach((c, i) => out.push(`${c.join(" ")}: ${answers[i]}`));
    return out;
  } finally {
    if ("child" in proc) proc.child.kill("SIGKILL");
    else proc.kill("SIGKILL");
  }
}

test("tail, tail -N, stderr, read and tail at many offsets: corral's tail answers as supervisord's log file", async () => {
  if (!ready) return skip("supervisord, supervisorctl or Debian's python3 missing");
  const anchor = await transcript("supervisord");
  // The anchor saw the output (so equal answers are not two errors).
  assert.match(anchor[0]!, /^supervisorctl tail p: .*\n2000\nno newline at the end/s);
  assert.ok(anchor.some((l) => l.endsWith(`, ${S}, true]`)) && anchor.some((l) => l.includes('"fault"')), anchor.join("\n"));
  const corral = await transcript("corral");
  assert.equal(corral, anchor);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
