// Debian's real supervisorctl against real supervisord, then against real corral (`corral
// --config` as PID 1, seed 004's layout): each command's output and exit code must match,
// modulo pids, uptimes and dates. `corral ctl` is held to the same transcript.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { have, runtimeArgv, serverSections, sleep, start } from "../helpers.ts";

/** Seed 004's four programs; debugging-tool is started by hand. Their logs go to files so `tail`
 * has something to compare (stderr too: supervisord's AUTO default keeps a file, corral does not). */
const PROGRAMS = ["webserver", "monitoring-tool", "service-discovery", "debugging-tool"];
const MANUAL = "debugging-tool";

/** The commands compared, in order (shutdown last). `sorted`: results of an `all` come back as each finishes. */
/** One command of a transcript; `before` edits the config directory first. */
interface Command { args: string; sorted?: boolean; before?: (dir: string) => void }

const COMMANDS: Command[] = [
  { args: "status" }, { args: `start ${MANUAL}` }, { args: `start ${MANUAL}` }, { args: `status ${MANUAL}` },
  { args: `stop ${MANUAL}` }, { args: `stop ${MANUAL}` }, { args: "restart webserver" }, { args: "pid webserver" },
  { args: `pid ${MANUAL}` }, { args: "signal HUP webserver" }, { args: `signal HUP ${MANUAL}` }, { args: "signal BOGUS webserver" },
  { args: "tail webserver" }, { args: "tail webserver stderr" }, { args: "status nosuch" }, { args: "start nosuch" },
  { args: "stop nosuch" }, { args: "pid nosuch" }, { args: "status nosuch:*" }, { args: "start nosuch:*" },
  { args: "status webserver:*" }, { args: "stop all", sorted: true }, { args: "status" }, { args: "start all", sorted: true },
  { args: "stop webserver:*" }, { args: "start webserver:*" }, { args: "clear webserver" }, { args: "update" }, { args: "avail" }, { args: "reread" }, { args: "version" },
  { args: "shutdown" },
];

/** Programs whose command cannot run, added for the second transcript (supervisord refuses them before spawning). */
const BROKEN = `[program:bad]\ncommand=/nonexistent/x\nautostart=false\n\n[program:nopath]\ncommand=nosuchcmd-corral\nautostart=false\n\n` +
  `[program:notexec]\ncommand=/etc/passwd\nautostart=false\n`;
/** A program added and one dropped from conf.d between two commands (reread, update, avail). */
const EDIT = (dir: string) => {
  writeFileSync(join(dir, "conf.d/extra.conf"), "[program:extra]\ncommand=sleep 1000\nstartsecs=0\n");
  writeFileSync(join(dir, "conf.d/broken.conf"), BROKEN.replace(/\[program:notexec\][^[]*$/, ""));
};
const BROKEN_COMMANDS: Command[] = [
  { args: "start bad" }, { args: "start nopath" }, { args: "start notexec" }, { args: "status" }, { args: "start all", sorted: true },
  { args: "status" }, { args: "reread", before: EDIT }, { args: "avail" }, { args: "update" }, { args: "status" }, { args: "avail" },
  { args: "remove extra" }, { args: "stop extra" }, { args: "remove extra" }, { args: "add extra" }, { args: "status extra" }, { args: "shutdown" },
];

function layout(dir: string, socket: string, broken = false): string {
  mkdirSync(join(dir, "conf.d"), { recursive: true });
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `; Debian's supervisord.conf shape
${serverSections(dir, { socket })}
[include]
files = conf.d/*.conf
`);
  writeFileSync(join(dir, "conf.d/webserver_supervisord.conf"), PROGRAMS.map((p) => `[program:${p}]
command=sh -c 'trap "" HUP; echo ${p} up; exec sleep 1000'
numprocs=1
stdout_logfile=${dir}/${p}.log
stdout_logfile_maxbytes=0
stderr_logfile=${dir}/${p}-stderr.log
${p === MANUAL ? "autostart=false\n" : ""}`).join("\n"));
  if (broken) writeFileSync(join(dir, "conf.d/broken.conf"), BROKEN);
  return conf;
}

interface Outcome { out: string; code: number }

/** The verbs `corral ctl` answers in config mode. */
const CORRAL_VERBS = new Set(["status", "start", "stop", "restart", "signal", "pid"]);

/** Runs supervisorctl, or (`corral`) the built bundle's `corral ctl -c CONF` for the verbs it has. */
function ctl(conf: string, args: string, corral = false): Promise<Outcome> {
  const words = args.split(" ");
  const [file, ...argv] = corral && CORRAL_VERBS.has(words[0]!) ? [...runtimeArgv(), "ctl", "-c", conf, ...words] : ["supervisorctl", "-c", conf, ...words];
  return new Promise((resolve) => {
    execFile(file!, argv, { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ out: stdout + stderr, code: err ? (typeof err.code === "number" ? err.code : -1) : 0 });
    });
  });
}

/** Pids, uptimes, stop times, versions and temp paths differ between the two runs. */
function normal(text: string, sorted: boolean | undefined): string {
  const lines = text
    .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime U")
    .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE")
    .replace(/^\d+$/gm, "N")
    .replace(/^\d+\.\d+\.\d+$/gm, "VERSION")
    .replace(/\/tmp\/[^\s/]+/g, "TMP")
    .split("\n");
  return (sorted ? lines.sort() : lines).join("\n");
}

async function waitRunning(conf: string, running: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const { out } = await ctl(conf, "status");
    if ((out.match(/RUNNING/g) ?? []).length === running) return;
    await sleep(100);
  }
  throw new Error(`not ${running} RUNNING in time`);
}

async function transcript(conf: string, corral = false, commands = COMMANDS): Promise<Outcome[]> {
  await waitRunning(conf, PROGRAMS.length - 1);
  const out: Outcome[] = [];
  for (const c of commands) {
    c.before?.(dirname(conf));
    out.push(await ctl(conf, c.args, corral));
  }
  return out;
}

const skip = !have("supervisord") || !have("supervisorctl");
const base = mkdtempSync(join(tmpdir(), "corral-rpc-"));
let real: Outcome[] = [];
let realBroken: Outcome[] = [];

/** The anchor, recorded once: Debian's supervisord with supervisorctl. */
test.before(async () => {
  if (skip) return;
  const realDir = join(base, "real");
  const realConf = layout(realDir, join(realDir, "supervisor.sock"));
  const supervisord = spawn("supervisord", ["-n", "-c", realConf], { stdio: "ignore" });
  try {
    real = await transcript(realConf);
  } finally {
    supervisord.kill("SIGTERM");
  }
  const brokenDir = join(base, "real-broken");
  const brokenConf = layout(brokenDir, join(brokenDir, "supervisor.sock"), true);
  const again = spawn("supervisord", ["-n", "-c", brokenConf], { stdio: "ignore" });
  try {
    realBroken = await transcript(brokenConf, false, BROKEN_COMMANDS);
  } finally {
    again.kill("SIGTERM");
  }
});
test.after(() => rmSync(base, { recursive: true, force: true }));

/** The same commands against real corral as PID 1; `corral` runs `corral ctl` where it can. */
async function compareWithCorral(name: string, corral: boolean, broken = false): Promise<void> {
  const dir = join(base, name);
  const conf = layout(dir, join(dir, "supervisor.sock"), broken);
  const [commands, anchor] = broken ? [BROKEN_COMMANDS, realBroken] : [COMMANDS, real];
  const c = start(["--config", conf]);
  let ours: Outcome[];
  try {
    ours = await transcript(conf, corral, commands);
  } catch (e) {
    c.child.kill("SIGKILL");
    throw new Error(`${e}; corral said: ${c.stderr()}`);
  }
  const done = await c.done;
  commands.forEach((cmd, i) => {
    const want = `exit ${anchor[i]!.code}\n${normal(anchor[i]!.out, cmd.sorted)}`;
    const got = `exit ${ours[i]!.code}\n${normal(ours[i]!.out, cmd.sorted)}`;
    const who = corral && CORRAL_VERBS.has(cmd.args.split(" ")[0]!) ? "corral ctl" : "supervisorctl";
    assert.fixture(got, want, `${who} ${cmd.args}`);
  });
  assert.is(done.code, 0, `shutdown ends corral with 0; stderr: ${done.stderr}`);
}

test("supervisorctl sees the same output and exit codes from real corral as from real supervisord (seed 004)", async () => {
  if (skip) return void console.log("skipped: supervisor (supervisord, supervisorctl) is not installed");
  await compareWithCorral("corral", false);
});

test("corral ctl in config mode prints what supervisorctl prints against supervisord, with the same exit codes", async () => {
  if (skip) return void console.log("skipped: supervisor (supervisord, supervisorctl) is not installed");
  await compareWithCorral("corral-ctl", true);
});

test("commands that cannot be found or run, then reread/avail/update/add/remove after conf.d changed: as supervisord", async () => {
  if (skip) return void console.log("skipped: supervisor (supervisord, supervisorctl) is not installed");
  await compareWithCorral("corral-broken", false, true);
});

/** Two programs whose starts fail by exiting: one at once, one in a directory= that does not exist. */
function quickLayout(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `${serverSections(dir, { socket: join(dir, "supervisor.sock") })}
[program:quick]
command=sh -c 'exit 0'
startretries=0

[program:nodir]
command=sleep 100
directory=/nonexistent-corral-dir
startretries=0
stderr_logfile=${dir}/nodir.err
`);
  return conf;
}

/** status once both are FATAL, then `start quick`, then shutdown; and what nodir wrote to its stderr. */
async function quickTranscript(conf: string): Promise<{ lines: string[]; start: string; nodirErr: string }> {
  let status: Outcome = { out: "", code: -1 };
  for (let i = 0; i < 200 && (status.out.match(/FATAL/g) ?? []).length < 2; i++) {
    await sleep(100);
    status = await ctl(conf, "status");
  }
  const again = await ctl(conf, "start quick");
  await ctl(conf, "shutdown");
  const err = join(dirname(conf), "nodir.err");
  return { lines: [`exit ${status.code}`, status.out], start: `exit ${again.code}\n${again.out}`, nodirErr: existsSync(err) ? readFileSync(err, "utf8") : "" };
}

test("a start that fails by exiting is FATAL 'Exited too quickly', and start says spawn error; a missing directory= is said in the program's log: as supervisord", async () => {
  if (skip) return void console.log("skipped: supervisor (supervisord, supervisorctl) is not installed");
  const realConf = quickLayout(join(base, "quick-real"));
  const supervisord = spawn("supervisord", ["-n", "-c", realConf], { stdio: "ignore" });
  let anchor;
  try {
    anchor = await quickTranscript(realConf);
  } finally {
    supervisord.kill("SIGTERM");
  }
  const conf = quickLayout(join(base, "quick-corral"));
  const c = start(["--config", conf]);
  const ours = await quickTranscript(conf);
  assert.is((await c.done).code, 0, c.stderr());
  assert.equal(ours.lines, anchor.lines);
  assert.match(anchor.lines[1]!, /quick +FATAL +Exited too quickly \(process log may have details\)/);
  // supervisord's own answer races its state machine: spawn error mostly, abnormal termination at times.
  assert.match(anchor.start, /^exit 7\nquick: ERROR \((spawn error|abnormal termination)\)\n$/);
  assert.is(ours.start, "exit 7\nquick: ERROR (spawn error)\n");
  assert.match(anchor.nodirErr, "couldn't chdir to /nonexistent-corral-dir: ENOENT");
  assert.is(ours.nodirErr, "corral: couldn't chdir to /nonexistent-corral-dir: ENOENT\n");
});

test.run();
