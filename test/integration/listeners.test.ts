// [eventlistener:x] pools run by the built bundle as PID 1, with real listeners: seed 004's
// kill_supervisor.py (in a private mount namespace whose /var/run is the test's own), a
// supervisor.childutils listener (Debian's python3 supervisor package), a slow listener under a
// burst of 1000+ state changes, and one that writes garbage. Real supervisord runs the same
// configs as the anchor where its behaviour is the thing to match.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { corralPid, have, RUNTIME, runtimeArgv, skip, sleep, start, stopCleanly, until } from "../helpers.ts";

const SEED = resolve("test/fixtures/seed-004");
/** Debian's python3, which has the supervisor package (supervisor.childutils). */
const PYTHON = "/usr/bin/python3";
const SUPERVISORD = "/usr/bin/supervisord";

/** The [supervisord] section of every config here: foreground, its files in `dir`. */
const supervisordSection = (dir: string) => `[supervisord]
nodaemon=true
pidfile=${dir}/supervisord.pid
logfile=${dir}/supervisord.log
childlogdir=${dir}
`;

/**
 * Runs `body` with a fresh directory corral-NAME-*, removed afterwards; skips the test when
 * /usr/bin/python3 (the listeners' interpreter) is missing.
 */
async function withPythonDir(name: string, body: (dir: string) => Promise<void>): Promise<void> {
  if (!existsSync(PYTHON)) return skip("/usr/bin/python3 is needed");
  const dir = mkdtempSync(join(tmpdir(), `corral-${name}-`));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Ended {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `argv` to its end, killed after `ms`. */
function runToEnd(argv: string[], ms: number): Promise<Ended> {
  return new Promise((done) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/**
 * In a private mount namespace: a tmpfs on /var/run, /usr/bin overlaid so the seed's
 * /usr/bin/kill_supervisor.py exists there only, as do the three other tools of the seed's
 * config (/bin is /usr/bin: they sleep, so webserver, whose /bin/start-webserver is missing,
 * is the one that goes FATAL); then `argv` as PID 1 of a new PID namespace, and whether the
 * pidfile outlived it.
 */
const SEED_NAMESPACE = `set -e
mount -t tmpfs tmpfs /var/run
mkdir -p /var/run/ov/u /var/run/ov/w
mount -t overlay overlay -o lowerdir=/usr/bin,upperdir=/var/run/ov/u,workdir=/var/run/ov/w /usr/bin
cp "$SEED/kill_supervisor.py" /usr/bin/kill_supervisor.py
for tool in start-monitoring start-servicediscovery start-debugging; do
  printf '#!/bin/sh\nexec sleep 1000\n' > /usr/bin/$tool && chmod +x /usr/bin/$tool
done
set +e
# Output to a file: supervisord cannot open /dev/fd/1 (the seed's stdout_logfile) on the test's socket.
unshare --pid --fork --mount-proc --kill-child "$@" >/var/run/output.log 2>&1
echo "exit=$?"
cat /var/run/output.log
if test -e /var/run/supervisord.pid; then echo "pidfile left"; else echo "pidfile removed"; fi
`;

/** The main config of Debian's image the seed's conf.d file is included by (its [supervisord] pidfile=). */
function seedConfig(dir: string): string {
  mkdirSync(join(dir, "conf.d"));
  copyFileSync(join(SEED, "webserver_supervisord.conf"), join(dir, "conf.d/webserver_supervisord.conf"));
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `[supervisord]\nnodaemon=true\npidfile=/var/run/supervisord.pid\nlogfile=/var/run/supervisord.log\nchildlogdir=${dir}\n\n[include]\nfiles=conf.d/*.conf\n`);
  return conf;
}

const inSeedNamespace = (argv: string[]) =>
  runToEnd(["unshare", "--mount", "--propagation", "private", "env", `SEED=${SEED}`, "sh", "-c", SEED_NAMESPACE, "sh", ...argv], 60_000);

test("seed 004: when webserver goes FATAL, kill_supervisor.py SIGQUITs the pidfile's pid and the container ends 0, as under supervisord", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-seed004-"));
  try {
    const conf = seedConfig(dir);
    if (RUNTIME === "node" && have("supervisord")) {
      const sd = await inSeedNamespace([SUPERVISORD, "-n", "-c", conf]);
      const out = sd.stdout + sd.stderr;
      assert.match(out, /gave up: webserver entered FATAL state/, out);
      assert.match(out, /success: monitoring-tool entered RUNNING state/, out);
      assert.not.match(out, /gave up: (monitoring-tool|service-discovery|debugging-tool)/, out);
      assert.match(out, /received SIGQUIT indicating exit request/, out);
      assert.match(sd.stdout, /^exit=0$/m, out);
      assert.match(sd.stdout, /^pidfile removed$/m, out);
    }
    const c = await inSeedNamespace([...runtimeArgv(), "-v", "--config", conf]);
    const out = c.stdout + c.stderr;
    assert.match(out, /webserver: STARTING -> FATAL/, out);
    assert.match(out, /monitoring-tool: STARTING -> RUNNING/, out);
    assert.not.match(out, /(monitoring-tool|service-discovery|debugging-tool): \S+ -> FATAL/, out);
    assert.match(out, /SIGQUIT: stopping all programs/, out);
    assert.match(c.stdout, /^exit=0$/m, out);
    assert.match(c.stdout, /^pidfile removed$/m, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A supervisor.childutils listener that records `eventname serial payload` per event; it
 * answers FAIL the first time it sees a PROCESS_STATE_RUNNING event and OK otherwise. */
const CHILDUTILS_LISTENER = `#!${PYTHON}
import sys
from supervisor import childutils
seen = set()
log = open(sys.argv[1], "a")
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    log.write("%s %s %s\\n" % (headers["eventname"], headers["serial"], payload.replace("\\n", "|")))
    log.flush()
    if headers["eventname"] == "PROCESS_STATE_RUNNING" and headers["serial"] not in seen:
        seen.add(headers["serial"])
        childutils.listener.fail(sys.stdout)
    else:
        childutils.listener.ok(sys.stdout)
`;

function childutilsConfig(dir: string): string {
  writeFileSync(join(dir, "listener.py"), CHILDUTILS_LISTENER, { mode: 0o755 });
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `${supervisordSection(dir)}
[program:a]
command=sleep 1000
startsecs=1

[program:b]
command=sleep 1000
numprocs=2
process_name=%(program_name)s_%(process_num)s
startsecs=0

[program:web]
command=sleep 1000
startsecs=0

[group:site]
programs=web

[eventlistener:watch]
command=${dir}/listener.py ${dir}/events.log
events=PROCESS_STATE_RUNNING,TICK_5
`);
  return conf;
}

/** The (processname, groupname) of every RUNNING event in a listener's log, and whether each serial came twice. */
function runningOf(log: string): { names: string[]; resent: boolean; ticks: string[] } {
  const lines = log.trim().split("\n").filter(Boolean);
  const running = lines.filter((l) => l.startsWith("PROCESS_STATE_RUNNING "));
  const bySerial = new Map<string, string[]>();
  for (const l of running) {
    const [, serial, payload] = l.split(" ", 3);
    bySerial.set(serial!, [...(bySerial.get(serial!) ?? []), l.slice(l.indexOf(payload!))]);
  }
  const names = [...bySerial.values()].map((p) => {
    const m = /processname:(\S+) groupname:(\S+) from_state:STARTING pid:\d+/.exec(p[0]!);
    return m ? `${m[2]}:${m[1]}` : `unparsed ${p[0]}`;
  }).sort();
  const resent = [...bySerial.values()].every((p) => p.length === 2 && p[0] === p[1]);
  return { names, resent, ticks: lines.filter((l) => l.startsWith("TICK_5 ")) };
}

const EXPECTED_RUNNING = ["a:a", "b:b_0", "b:b_1", "site:web", "watch:watch"];

test("a supervisor.childutils listener gets PROCESS_STATE_RUNNING of every program and TICK_5; FAIL is re-sent, OK acknowledges (supervisord alike)", async () => {
  if (!existsSync(PYTHON) || !have("supervisord")) {
    return skip("Debian's python3 with the supervisor package is needed");
  }
  const runs: Array<[string, string[]]> = [["corral", [...runtimeArgv(), "--config"]]];
  if (RUNTIME === "node") runs.unshift(["supervisord", [SUPERVISORD, "-n", "-c"]]);
  for (const [who, argv] of runs) {
    const dir = mkdtempSync(join(tmpdir(), `corral-childutils-${who}-`));
    try {
      const conf = childutilsConfig(dir);
      const child = spawn("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", ...argv, conf], { stdio: ["ignore", "pipe", "pipe"] });
      let err = "";
      child.stderr.on("data", (d) => (err += d));
      child.stdout.on("data", (d) => (err += d));
      const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      const log = () => (existsSync(join(dir, "events.log")) ? readFileSync(join(dir, "events.log"), "utf8") : "");
      try {
        await until(`${who}: TICK_5 and every RUNNING, twice each`, () => {
          const r = runningOf(log());
          return r.ticks.length > 0 && r.names.length === EXPECTED_RUNNING.length && r.resent;
        }, 15_000);
      } catch (e) {
        throw new Error(`${(e as Error).message}\nlog:\n${log()}\noutput:\n${err}`);
      }
      const r = runningOf(log());
      assert.equal(r.names, EXPECTED_RUNNING, `${who}: ${log()}`);
      assert.ok(r.resent, `${who}: every FAILed event comes again with its serial`);
      assert.match(r.ticks[0]!, /^TICK_5 \d+ when:\d*[05]$/, `${who}: ${r.ticks[0]}`);
      const host = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/)[0]);
      process.kill(host, "SIGTERM");
      assert.is(await closed, 0, `${who}: ${err}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

/** Programs started at once: 3 state changes each (STARTING, RUNNING, EXITED) make 1002. */
const BURST = 334;
const BUFFER_SIZE = 10;

test("1000+ state changes against a slow listener: nothing lost beyond buffer_size, every drop counted, programs unaffected", async () => {
  await withPythonDir("burst", async (dir) => {
    writeFileSync(join(dir, "slow.py"), `#!${PYTHON}
import sys, time
from supervisor import childutils
log = open(sys.argv[1], "a")
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    log.write("%s %s\\n" % (headers["serial"], headers["eventname"])); log.flush()
    time.sleep(0.02)
    childutils.listener.ok(sys.stdout)
`, { mode: 0o755 });
    const conf = join(dir, "corral.conf");
    writeFileSync(conf, `[program:burst]
command=/bin/true
numprocs=${BURST}
process_name=%(program_name)s_%(process_num)s
startsecs=0
autorestart=false

[program:steady]
command=sleep 1000
startsecs=0

[eventlistener:slow]
command=${dir}/slow.py ${dir}/events.log
events=PROCESS_STATE
buffer_size=${BUFFER_SIZE}
`);
    const c = start(["-v", "--config", conf]);
    const log = () => (existsSync(join(dir, "events.log")) ? readFileSync(join(dir, "events.log"), "utf8") : "");
    const exited = () => (c.stderr().match(/: RUNNING -> EXITED/g) ?? []).length;
    await until("every burst process EXITED", () => exited() === BURST, 60_000);
    const dropped = () => Number(/(\d+) dropped so far\n(?![^]*dropped so far)/.exec(c.stderr())?.[1] ?? 0);
    // The buffer drains at the listener's pace; then nothing more comes.
    let last = "";
    await until("the listener to drain the buffer", async () => {
      const now = log();
      const same = now === last && now !== "";
      last = now;
      await sleep(300);
      return same;
    }, 30_000, 0);
    const serials = log().trim().split("\n").map((l) => Number(l.split(" ")[0]));
    const unique = new Set(serials);
    const published = Math.max(...serials) + 1;
    const warnings = (c.stderr().match(/event buffer overflowed/g) ?? []).length;
    console.log(`\n  burst: ${published} events published, ${unique.size} delivered, ${dropped()} dropped (buffer_size=${BUFFER_SIZE})`);
    assert.ok(published >= 1000, `published ${published}`);
    assert.is(unique.size, serials.length, "no event delivered twice");
    assert.is(unique.size + dropped(), published, "every event is delivered or counted as dropped");
    assert.is(warnings, dropped(), "one warning per dropped event, as supervisord");
    for (let s = published - BUFFER_SIZE; s < published; s++) assert.ok(unique.has(s), `the newest ${BUFFER_SIZE} are kept: ${s} missing`);
    assert.is((c.stderr().match(/steady: started as pid/g) ?? []).length, 1, "steady ran through it once");
    await stopCleanly(c);
  });
});

test("a listener that writes garbage: one warning, it is restarted and gets the buffered events; corral and programs go on", async () => {
  await withPythonDir("garbage", async (dir) => {
    writeFileSync(join(dir, "flaky.py"), `#!${PYTHON}
import os, sys, time
from supervisor import childutils
marker = sys.argv[1] + ".first"
if not os.path.exists(marker):
    open(marker, "w").close()
    sys.stdout.write("HELLO\\n"); sys.stdout.flush()
    time.sleep(1000)
log = open(sys.argv[1], "a")
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    log.write("%s %s\\n" % (headers["eventname"], payload)); log.flush()
    childutils.listener.ok(sys.stdout)
`, { mode: 0o755 });
    const conf = join(dir, "corral.conf");
    writeFileSync(conf, `[program:steady]
command=sleep 1000
startsecs=0

[eventlistener:flaky]
command=${dir}/flaky.py ${dir}/events.log
events=PROCESS_STATE
startsecs=0
`);
    const c = start(["-v", "--config", conf]);
    await until("the restarted listener's first event", () => existsSync(join(dir, "events.log")) && readFileSync(join(dir, "events.log"), "utf8").includes("processname:steady"), 15_000);
    await sleep(300);
    const err = c.stderr();
    assert.is((err.match(/instead of READY/g) ?? []).length, 1, err);
    assert.match(err, /flaky: wrote "HELLO\\n" instead of READY \(event listener protocol: READY, then RESULT N\); restarting it in 1 s/);
    assert.is((err.match(/flaky: started as pid/g) ?? []).length, 2, err);
    assert.is((err.match(/steady: started as pid/g) ?? []).length, 1, err);
    assert.match(readFileSync(join(dir, "events.log"), "utf8"), /^PROCESS_STATE_RUNNING processname:steady groupname:steady from_state:STARTING pid:\d+$/m);
    await stopCleanly(c);
  });
});

test("SIGHUP reload: PROCESS_GROUP_REMOVED and _ADDED reach a listener; the listener itself is left running", async () => {
  await withPythonDir("reload", async (dir) => {
    writeFileSync(join(dir, "groups.py"), `#!${PYTHON}
import sys
from supervisor import childutils
log = open(sys.argv[1], "a")
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    log.write("%s %s\\n" % (headers["eventname"], payload.strip())); log.flush()
    childutils.listener.ok(sys.stdout)
`, { mode: 0o755 });
    const listener = `[eventlistener:groups]\ncommand=${dir}/groups.py ${dir}/events.log\nevents=PROCESS_GROUP\nstartsecs=0\n`;
    const conf = join(dir, "corral.conf");
    writeFileSync(conf, `[program:old]\ncommand=sleep 1000\nstartsecs=0\n\n${listener}`);
    const c = start(["-v", "--config", conf]);
    const log = () => (existsSync(join(dir, "events.log")) ? readFileSync(join(dir, "events.log"), "utf8") : "");
    await until("the groups at start", () => log().includes("PROCESS_GROUP_ADDED groupname:old") && log().includes("PROCESS_GROUP_ADDED groupname:groups"));
    writeFileSync(conf, `[program:new]\ncommand=sleep 1000\nstartsecs=0\n\n${listener}`);
    process.kill(await corralPid(c), "SIGHUP");
    await until("the reload's groups", () => log().includes("PROCESS_GROUP_ADDED groupname:new"), 10_000).catch((e) => {
      throw new Error(`${(e as Error).message}\n${log()}\n${c.stderr()}`);
    });
    assert.equal(log().trim().split("\n").slice(-2), ["PROCESS_GROUP_REMOVED groupname:old", "PROCESS_GROUP_ADDED groupname:new"]);
    assert.is((c.stderr().match(/groups: started as pid/g) ?? []).length, 1, c.stderr());
    await stopCleanly(c);
  });
});

/** A listener that records each event as one JSON line [eventname, payload] in the file argv[1]. */
const RECORDING_LISTENER = `#!${PYTHON}
import json, sys
from supervisor import childutils
log = open(sys.argv[1], "a")
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    log.write(json.dumps([headers["eventname"], payload]) + "\\n"); log.flush()
    childutils.listener.ok(sys.stdout)
`;

/** Each program writes its lines apart in time (one read each, under both supervisors, even on a busy machine), then sleeps. */
const LOG_PROGRAMS: Record<string, string> = {
  // h\303\251llo \342\234\223 is "héllo ✓"; \377 is no UTF-8 at all.
  talk: "printf 'hello\\n'; sleep 0.5; printf 'oops\\n' >&2; sleep 0.5; printf 'h\\303\\251llo \\342\\234\\223\\n'; sleep 0.5; printf '\\377\\n'",
  quiet: "printf 'nolog\\n'",
  merged: "printf 'to stderr\\n' >&2",
  errs: "printf 'not an event\\n'; sleep 0.2; printf 'err only\\n' >&2",
  plain: "printf 'unseen\\n'; printf 'unseen too\\n' >&2",
};

function logEventsConfig(dir: string): string {
  writeFileSync(join(dir, "listener.py"), RECORDING_LISTENER, { mode: 0o755 });
  for (const [name, script] of Object.entries(LOG_PROGRAMS)) writeFileSync(join(dir, `${name}.sh`), `${script}\nexec sleep 1000\n`);
  const program = (name: string, keys: string) => `[program:${name}]\ncommand=/bin/sh ${dir}/${name}.sh\nstartsecs=0\nautorestart=false\n${keys}\n`;
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `${supervisordSection(dir)}
${program("talk", "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\nstdout_events_enabled=true\nstderr_events_enabled=true")}
[group:site]
programs=talk

${program("quiet", "stdout_logfile=NONE\nstdout_events_enabled=true")}
${program("merged", "redirect_stderr=true\nstdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstdout_events_enabled=true\nstderr_events_enabled=true")}
${program("errs", "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\nstderr_events_enabled=true")}
${program("plain", "stdout_logfile=/dev/stdout\nstdout_logfile_maxbytes=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0")}
[eventlistener:logs]
command=${dir}/listener.py ${dir}/logs.log
events=PROCESS_LOG
buffer_size=50

[eventlistener:outs]
command=${dir}/listener.py ${dir}/outs.log
events=PROCESS_LOG_STDOUT
buffer_size=50
`);
  return conf;
}

/** A recorded PROCESS_LOG event, its header fields apart and the pid checked, then dropped (it differs per run). */
function logEventsOf(text: string): string[] {
  return text.trim().split("\n").filter(Boolean).map((line) => {
    const [name, payload] = JSON.parse(line) as [string, string];
    const nl = payload.indexOf("\n");
    const m = /^processname:(\S+) groupname:(\S+) pid:([1-9]\d*) channel:(stdout|stderr)$/.exec(payload.slice(0, nl));
    return m ? `${name} ${m[2]}:${m[1]} ${m[4]} ${JSON.stringify(payload.slice(nl + 1))}` : `unparsed ${line}`;
  });
}

/** Per process, in the order each wrote them (processes run side by side, so only that order is fixed). */
const byProcess = (events: string[]) => [...events].sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!));

const EXPECTED_LOG_EVENTS = [
  `PROCESS_LOG_STDERR errs:errs stderr "err only\\n"`,
  `PROCESS_LOG_STDOUT merged:merged stdout "to stderr\\n"`,
  `PROCESS_LOG_STDOUT quiet:quiet stdout "nolog\\n"`,
  `PROCESS_LOG_STDOUT site:talk stdout "hello\\n"`,
  `PROCESS_LOG_STDERR site:talk stderr "oops\\n"`,
  `PROCESS_LOG_STDOUT site:talk stdout "héllo ✓\\n"`,
  `PROCESS_LOG_STDOUT site:talk stdout "Undecodable: b'\\\\xff\\\\n'"`,
];

test("PROCESS_LOG: listeners get each program's output with processname, groupname, pid and channel, as under supervisord; the output still reaches its log", async () => {
  if (!existsSync(PYTHON)) return skip("/usr/bin/python3 with the supervisor package is needed");
  const runs: Array<[string, string[]]> = [["corral", [...runtimeArgv(), "--config"]]];
  if (RUNTIME === "node" && have("supervisord")) runs.unshift(["supervisord", [SUPERVISORD, "-n", "-c"]]);
  const results = new Map<string, { logs: string[]; outs: string[] }>();
  for (const [who, argv] of runs) {
    const dir = mkdtempSync(join(tmpdir(), `corral-logevents-${who}-`));
    try {
      const conf = logEventsConfig(dir);
      // stdout and stderr are files (supervisord cannot open /dev/stdout on the test's socket),
      // opened to append: supervisord's own log lines would overwrite its programs' otherwise.
      const child = spawn("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", "sh", "-c", `exec "$@" >>${dir}/out 2>>${dir}/err`, "sh", ...argv, conf],
        { stdio: "ignore", env: { ...process.env, NODE_EXTRA_CA_CERTS: "", CORRAL_CONTROL_SOCKET: "" } });
      const closed = new Promise<number | null>((r) => child.on("close", (code) => r(code)));
      const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
      const outs = EXPECTED_LOG_EVENTS.filter((e) => e.startsWith("PROCESS_LOG_STDOUT")).length;
      try {
        await until(`${who}: every PROCESS_LOG event`, () => logEventsOf(read("logs.log")).length >= EXPECTED_LOG_EVENTS.length && logEventsOf(read("outs.log")).length >= outs, 20_000);
        await sleep(500); // and no more
      } catch (e) {
        throw new Error(`${(e as Error).message}\nlogs.log:\n${read("logs.log")}\nouts.log:\n${read("outs.log")}\nstderr:\n${read("err")}`);
      }
      const got = { logs: byProcess(logEventsOf(read("logs.log"))), outs: byProcess(logEventsOf(read("outs.log"))) };
      results.set(who, got);
      assert.equal(got.logs, EXPECTED_LOG_EVENTS, `${who}: PROCESS_LOG`);
      assert.equal(got.outs, EXPECTED_LOG_EVENTS.filter((e) => e.startsWith("PROCESS_LOG_STDOUT")), `${who}: PROCESS_LOG_STDOUT`);
      // Events come besides the log, not instead of it (stdout unprefixed, byte for byte).
      const out = readFileSync(join(dir, "out"));
      for (const bytes of ["hello\n", "héllo ✓\n", "to stderr\n", "not an event\n", "unseen\n"]) assert.ok(out.includes(Buffer.from(bytes)), `${who}: ${JSON.stringify(bytes)} in stdout:\n${out}`);
      assert.ok(out.includes(Buffer.from([0x0a, 0xff, 0x0a])), `${who}: the undecodable byte in stdout as it was written`);
      for (const text of ["oops\n", "err only\n", "unseen too\n"]) assert.ok(read("err").includes(text), `${who}: ${JSON.stringify(text)} in stderr:\n${read("err")}`);
      const host = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(/\s+/)[0]);
      process.kill(host, "SIGTERM");
      assert.is(await closed, 0, `${who}: ${read("err")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (results.has("supervisord")) assert.equal(results.get("corral"), results.get("supervisord"), "the same events under both");
});

test("a listener's stderr goes through the log pump as a program's (prefixed, rotated); its stdout, the protocol, is never logged", async () => {
  await withPythonDir("listener-stderr", async (dir) => {
    writeFileSync(join(dir, "chatty.py"), `#!${PYTHON}
import sys
from supervisor import childutils
while True:
    headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
    sys.stderr.write("saw %s %s\\n" % (headers["eventname"], "x" * 60)); sys.stderr.flush()
    childutils.listener.ok(sys.stdout)
`, { mode: 0o755 });
    const conf = join(dir, "corral.conf");
    const listener = (name: string, keys: string) => `[eventlistener:${name}]\ncommand=${dir}/chatty.py\nevents=PROCESS_STATE_RUNNING\nstartsecs=0\n${keys}\n`;
    writeFileSync(conf, `[program:a]\ncommand=sleep 1000\nstartsecs=0\n\n[program:b]\ncommand=sleep 1000\nstartsecs=0\n\n` +
      listener("toerr", "") + listener("tofile", `stderr_logfile=${dir}/tofile.err\nstderr_logfile_maxbytes=100\nstderr_logfile_backups=2\n`));
    const c = start(["--log-prefix", "--config", conf]);
    await c.waitFor(/toerr \| saw PROCESS_STATE_RUNNING x+\n(?:[^]*toerr \| saw PROCESS_STATE_RUNNING){3}/, 15_000);
    // Each 88-byte line passes the 100-byte limit, so the file rotates under the reader: between
    // two reads FILE.1 may be briefly absent (FILE.1 → FILE.2, then FILE → FILE.1). Read until both are there.
    let logged = "";
    await until("the file listener's lines", () => {
      try {
        logged = readFileSync(join(dir, "tofile.err.1"), "utf8") + readFileSync(join(dir, "tofile.err"), "utf8");
        return logged.length > 0;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw e;
      }
    });
    assert.match(logged, /^(saw PROCESS_STATE_RUNNING x{60}\n)+$/, logged);
    const all = c.stdout() + c.stderr();
    assert.not.match(all, /READY|RESULT|ver:3\.0/, all);
    assert.not.match(all, /tofile \| saw/, all);
    await stopCleanly(c);
  });
});

test("a supervisor_stdout-style listener (its RESULT echoes the event, for a result_handler corral cannot run) gets each PROCESS_LOG event once", async () => {
  await withPythonDir("echo", async (dir) => {
    // supervisor_stdout's protocol loop: READY, read the event, answer RESULT with the payload itself.
    writeFileSync(join(dir, "echo.py"), `#!${PYTHON}
import sys
log = open(sys.argv[1], "a")
while 1:
    sys.stdout.write("READY\\n"); sys.stdout.flush()
    headers = dict([x.split(":") for x in sys.stdin.readline().split()])
    data = sys.stdin.read(int(headers["len"]))
    log.write(data.replace("\\n", "|") + "\\n"); log.flush()
    sys.stdout.write("RESULT %s\\n%s" % (len(data.encode("utf-8")), data)); sys.stdout.flush()
`, { mode: 0o755 });
    const conf = join(dir, "corral.conf");
    writeFileSync(conf, `[program:web]\ncommand=sh -c 'echo one; sleep 0.2; echo two; exec sleep 1000'\nstartsecs=0\nstdout_events_enabled=true\n\n` +
      `[eventlistener:stdout]\ncommand=${dir}/echo.py ${dir}/events.log\nevents=PROCESS_LOG\nresult_handler=supervisor_stdout:event_handler\n`);
    const c = start(["--config", conf]);
    const log = () => (existsSync(join(dir, "events.log")) ? readFileSync(join(dir, "events.log"), "utf8") : "");
    await until("both lines as events", () => log().includes("|two|"), 15_000);
    await sleep(500);
    assert.equal(log().trim().split("\n").map((l) => l.replace(/pid:\d+/, "pid:N")), [
      "processname:web groupname:web pid:N channel:stdout|one|",
      "processname:web groupname:web pid:N channel:stdout|two|",
    ]);
    // What the plugin's event_handler prints on supervisord's stdout: each data line after "NAME CHANNEL | ", then the prefix alone.
    await until("the plugin's lines", () => c.stdout().includes("web stdout | two\nweb stdout | \n"), 5_000);
    assert.ok(c.stdout().includes("web stdout | one\nweb stdout | \n"), c.stdout());
    await stopCleanly(c);
  });
});

const SHUTDOWN_LISTENER = `#!${PYTHON}
import os, sys
from supervisor import childutils
headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
with open(sys.argv[1], "w") as f:
    for k in sorted(os.environ):
        if k.startswith("SUPERVISOR_"): f.write("%s=%s\\n" % (k, os.environ[k]))
childutils.listener.ok(sys.stdout)
childutils.getRPCInterface(os.environ).supervisor.shutdown()
while True: childutils.listener.ok(sys.stdout); childutils.listener.wait(sys.stdin, sys.stdout)
`;

test("a childutils listener finds the server through SUPERVISOR_SERVER_URL and shuts it down on FATAL; the SUPERVISOR_* environment is supervisord's", async () => {
  if (!existsSync(PYTHON) || !have("supervisord")) return skip("Debian's python3 with the supervisor package is needed");
  const runs: Array<[string, string[]]> = [["corral", [...runtimeArgv(), "--config"]]];
  if (RUNTIME === "node") runs.unshift(["supervisord", [SUPERVISORD, "-n", "-c"]]);
  const seen: Record<string, string> = {};
  for (const [who, argv] of runs) {
    const dir = mkdtempSync(join(tmpdir(), `corral-serverurl-${who}-`));
    try {
      writeFileSync(join(dir, "shutdown.py"), SHUTDOWN_LISTENER, { mode: 0o755 });
      const conf = join(dir, "supervisord.conf");
      writeFileSync(conf, `${supervisordSection(dir)}
[unix_http_server]
file=${dir}/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[program:bad]
command=/bin/false
startretries=0

[eventlistener:watch]
command=${dir}/shutdown.py ${dir}/env.txt
events=PROCESS_STATE_FATAL
stderr_logfile=${dir}/watch.err
`);
      const r = await runToEnd(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", ...argv, conf], 20_000);
      assert.is(r.code, 0, `${who}: ${r.stderr}${existsSync(join(dir, "watch.err")) ? readFileSync(join(dir, "watch.err"), "utf8") : ""}`);
      seen[who] = readFileSync(join(dir, "env.txt"), "utf8").replaceAll(dir, "DIR");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const expected = "SUPERVISOR_ENABLED=1\nSUPERVISOR_GROUP_NAME=watch\nSUPERVISOR_PROCESS_NAME=watch\nSUPERVISOR_SERVER_URL=unix://DIR/supervisor.sock\n";
  for (const [who, env] of Object.entries(seen)) assert.is(env, expected, who);
});

test.run();
