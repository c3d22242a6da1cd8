// supervisorctl, differentially: one rich config (groups, a numprocs template, autostart=false,
// FATAL, EXITED, log files, redirect_stderr, environment=, priorities, an event listener) and a
// script of every supervisorctl command, run by Debian's supervisorctl first against Debian's
// supervisord, then against real corral as PID 1 on the same files. Each command's output and
// exit status must match line by line once pids, uptimes, dates and temp paths are normalized.
// The config is edited halfway (sections moved, a comment added, one program changed, one
// added, one removed) for reread/avail/update/add/remove.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, includeLayout, skip, sleep, start, until } from "../helpers.ts";

/** The sections, by name, in file order; `edited` is the config after the edit. */
function sections(dir: string, edited: boolean): string[] {
  return [
    `[program:web]
command=sh -c 'trap "" HUP; echo "web up $GREETING"; echo "web err" >&2; exec sleep 1000'
priority=10
environment=GREETING="hi there",OTHER=1
stdout_logfile=${dir}/web.log
stderr_logfile=${dir}/web-err.log
`,
    `[program:api]
command=sh -c 'echo "api ${edited ? "v2" : "v1"} $MODE" >&2; exec sleep 1000'
priority=20
environment=MODE=prod
redirect_stderr=true
stdout_logfile=${dir}/api.log
`,
    `[program:manual]
command=sleep 1000
autostart=false
stdout_logfile=${dir}/manual.log
stderr_logfile=${dir}/manual-err.log
`,
    `[program:fatal]
command=/bin/false
startretries=0
stdout_logfile=${dir}/fatal.log
stderr_logfile=${dir}/fatal-err.log
`,
    ...(edited ? [] : [`[program:once]
command=sh -c 'echo done'
startsecs=0
autorestart=false
stdout_logfile=${dir}/once.log
stderr_logfile=${dir}/once-err.log
`]),
    `[group:workers]
programs=worker
priority=30
`,
    `[program:worker]
command=sleep 1000
process_name=%(program_name)s_%(process_num)02d
numprocs=3
numprocs_start=1
redirect_stderr=true
stdout_logfile=${dir}/worker-%(process_num)s.log
`,
    `[eventlistener:listen]
command=sh -c 'printf "READY\\n"; exec cat >/dev/null'
events=TICK_3600${edited ? ",REMOTE_COMMUNICATION" : ""}
stderr_logfile=${dir}/listen-err.log
`,
    ...(edited ? [`[program:extra]
command=sleep 1000
stdout_logfile=${dir}/extra.log
stderr_logfile=${dir}/extra-err.log
`] : []),
  ];
}

/** The first config, and the edit: reversed order, a comment, api and listen's events= changed, once gone, extra new. */
const programs = (dir: string, edited = false) =>
  edited ? `; edited by hand\n${sections(dir, true).reverse().join("\n")}` : sections(dir, false).join("\n");

/**
 * One step: a supervisorctl command compared; `sorted` when its lines come as each process
 * finishes; `exitOnly` when only its exit status can match, `uncompared` when not even that
 * yet (each with the reason); or a wait.
 */
type Step = { args: string; sorted?: boolean; exitOnly?: string; uncompared?: string; before?: (dir: string) => void } | { wait: RegExp[] };

/** maintail shows the server's own log lines, which are not the same text: exit status only. */
const OWN_LOG = "the main log holds each server's own messages";

/** Every process in its settled state: first start, and after the update. */
const SETTLED = [/^web +RUNNING/m, /^api +RUNNING/m, /^manual +STOPPED/m, /^fatal +FATAL/m, /^once +EXITED/m,
  /^workers:worker_01 +RUNNING/m, /^workers:worker_02 +RUNNING/m, /^workers:worker_03 +RUNNING/m, /^listen +RUNNING/m];

const EDIT = (dir: string) => writeFileSync(join(dir, "programs.conf"), programs(dir, true));

const SCRIPT: Step[] = [
  { wait: SETTLED },
  { args: "status" }, { args: "status web" }, { args: "status workers:*" }, { args: "status web manual" }, { args: "status nosuch" },
  { args: "status nosuch:*" }, { args: "status fatal once" },
  { args: "start manual" }, { args: "start manual" }, { args: "status manual" }, { args: "stop manual" }, { args: "stop manual" },
  { args: "status manual" }, { args: "start nosuch" }, { args: "stop nosuch" }, { args: "start" }, { args: "restart web" },
  { args: "restart nosuch" }, { args: "stop workers:worker_02" }, { args: "status workers:*" }, { args: "start workers:*", sorted: true },
  { args: "stop workers:*", sorted: true }, { args: "start workers:*", sorted: true }, { args: "restart workers:*", sorted: true },
  { args: "start workers:worker_01" }, { args: "start nosuch:*" },
  { args: "pid" }, { args: "pid web" }, { args: "pid manual" }, { args: "pid nosuch" }, { args: "pid workers:worker_03" },
  { args: "signal HUP web" }, { args: "signal hup web" }, { args: "signal 1 web" }, { args: "signal HUP manual" }, { args: "signal BOGUS web" },
  { args: "signal HUP nosuch" }, { args: "signal CONT workers:*", sorted: true }, { args: "signal" }, { args: "signal HUP" },
  { args: "tail web" }, { args: "tail web stdout" }, { args: "tail web stderr" }, { args: "tail -5 web" }, { args: "tail api" },
  { args: "tail api stderr" }, { args: "tail once" }, { args: "tail manual" }, { args: "tail nosuch" }, { args: "tail workers:worker_01" },
  { args: "tail" }, { args: "tail web bogus" },
  { args: "clear web" }, { args: "tail web" }, { args: "clear nosuch" }, { args: "clear workers:*", sorted: true }, { args: "clear" },
  { args: "avail" }, { args: "version" }, { args: "maintail", exitOnly: OWN_LOG }, { args: "maintail -200", exitOnly: OWN_LOG },
  { args: "start manual" },
  { args: "reread" }, { args: "update" }, { args: "reread", before: EDIT }, { args: "avail" }, { args: "update", sorted: true },
  { wait: [/^api +RUNNING/m, /^extra +RUNNING/m, /^manual +RUNNING/m, /^listen +RUNNING/m] },
  { args: "status" }, { args: "reread" },
  { args: "remove extra" }, { args: "stop extra" }, { args: "remove extra" }, { args: "remove extra" }, { args: "avail" },
  { args: "add extra" }, { args: "add extra" }, { args: "add nosuch" }, { args: "remove nosuch" },
  { wait: [/^extra +RUNNING/m] }, { args: "status extra" },
  { args: "stop all", sorted: true }, { args: "status" }, { args: "start all", sorted: true }, { args: "shutdown" },
];

interface Outcome { out: string; code: number }

function ctl(conf: string, args: string): Promise<Outcome> {
  return new Promise((resolve) => execFile("supervisorctl", ["-c", conf, ...args.split(" ").filter(Boolean)], { timeout: 60_000 }, (err, stdout, stderr) =>
    resolve({ out: stdout + stderr, code: err ? (typeof err.code === "number" ? err.code : -1) : 0 })));
}

/**
 * Pids, uptimes, stop times, versions and the temp directory differ between the two runs.
 * supervisord answers a start of /bin/false with "spawn error" or, when its process ended
 * before startProcess looked, "abnormal termination" (a race of its own): taken as the first.
 */
function normal(text: string, dir: string, sorted?: boolean): string {
  const lines = text.split(dir).join("DIR")
    .replace(/^fatal: ERROR \(abnormal termination\)$/m, "fatal: ERROR (spawn error)")
    .replace(/pid \d+, uptime \d+:\d\d:\d\d/g, "pid N, uptime U")
    .replace(/[A-Z][a-z]{2} \d\d \d\d:\d\d [AP]M/g, "DATE")
    .replace(/^\d+$/gm, "N")
    .replace(/^\d+\.\d+\.\d+$/gm, "VERSION")
    .split("\n");
  return (sorted ? lines.sort() : lines).join("\n");
}

/** Polls `status` (bounded) until every pattern matches: supervisord moves states on its 1 s tick. */
async function settle(conf: string, wanted: RegExp[]): Promise<void> {
  let last = "";
  for (let i = 0; i < 300; i++) {
    last = (await ctl(conf, "status")).out;
    if (wanted.every((re) => re.test(last))) return;
    await sleep(100);
  }
  throw new Error(`not settled in time: ${wanted.filter((re) => !re.test(last)).join(", ")} in:\n${last}`);
}

async function transcript(dir: string, conf: string): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const step of SCRIPT) {
    if ("wait" in step) {
      await settle(conf, step.wait);
      continue;
    }
    step.before?.(dir);
    out.push(await ctl(conf, step.args));
  }
  return out;
}

const layout = (dir: string): string => includeLayout(dir, programs(dir));

const base = mkdtempSync(join(tmpdir(), "corral-ctldiff-"));
test.after(() => rmSync(base, { recursive: true, force: true }));

test("every supervisorctl command on a rich config, edited halfway: the same output and exit status from corral as from supervisord", async () => {
  if (!have("supervisord") || !have("supervisorctl")) return skip("supervisord and supervisorctl are not installed");
  // The two servers run side by side (each waits on its own ticks and timers, not on the CPU).
  const real = async (): Promise<Outcome[]> => {
    const dir = join(base, "real");
    const conf = layout(dir);
    const supervisord = spawn("supervisord", ["-n", "-c", conf], { stdio: "ignore" });
    try {
      await until("supervisord's socket", () => existsSync(join(dir, "s.sock")));
      return await transcript(dir, conf);
    } finally {
      supervisord.kill("SIGTERM");
    }
  };
  const corral = async () => {
    const dir = join(base, "corral");
    const c = start(["--config", layout(dir)]);
    try {
      await until("corral's socket", () => existsSync(join(dir, "s.sock")));
      const ours = await transcript(dir, join(dir, "supervisord.conf"));
      return { ours, ...(await c.done) };
    } catch (e) {
      c.child.kill("SIGKILL");
      throw new Error(`${e}; corral said: ${c.stderr()}`);
    }
  };
  const [anchor, { ours, ...done }] = await Promise.all([real(), corral()]);
  const realDir = join(base, "real"), ourDir = join(base, "corral");
  const steps = SCRIPT.filter((s): s is Extract<Step, { args: string }> => "args" in s);
  const differ: string[] = [];
  steps.forEach((step, i) => {
    if (step.uncompared) return;
    const text = (o: Outcome, dir: string) => (step.exitOnly ? `(${step.exitOnly})` : normal(o.out, dir, step.sorted));
    const want = `exit ${anchor[i]!.code}\n${text(anchor[i]!, realDir)}`;
    const got = `exit ${ours[i]!.code}\n${text(ours[i]!, ourDir)}`;
    if (want !== got) differ.push(`supervisorctl ${step.args}\n--- supervisord:\n${want}\n--- corral:\n${got}`);
  });
  assert.is(differ.length, 0, `${differ.length} of ${steps.length} commands differ:\n${differ.join("\n")}`);
  assert.is(done.code, 0, `shutdown ends corral with 0; stderr: ${done.stderr}`);
});

test.run();
