// The container-run control socket with real clients (nc, ncat, socat, corral ctl/bpm),
// corral running as PID 1 of a fresh PID namespace.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, corralPid, have, run, runtimeArgv, skip, sleep, start, until, type Running } from "../helpers.ts";

const LOOP = `trap 'echo got TERM; exit 0' TERM; trap 'echo got QUIT' QUIT; echo "main $$ up"; while :; do sleep 100 & wait $!; done`;

interface Job {
  base: string;
  sock: string;
  running: string;
  pidfile: string;
  corral: Running;
}

function startJob(extra: string[] = [], script = LOOP, base = mkdtempSync(join(tmpdir(), "corral-ctl-"))): Job {
  const corral = start(["-vv", "--base-dir", base, "--job-name", "web", "--process-name", "srv", ...extra, "--", "bash", "-c", script]);
  return {
    base, corral,
    sock: join(base, "data/web/srv_containerrun.sock"),
    running: join(base, "data/web/srv_containerrun.running"),
    pidfile: join(base, "sys/run/bpm/web/srv.pid"),
  };
}

const ctl = (base: string, ...args: string[]) =>
  spawnSync(runtimeArgv()[0]!, [...runtimeArgv().slice(1), "ctl", "--base-dir", base, ...args], { encoding: "utf8" });
const bpm = (base: string, ...args: string[]) =>
  spawnSync(runtimeArgv()[0]!, [...runtimeArgv().slice(1), "bpm", ...args, "--base-dir", base], { encoding: "utf8" });

/**
 * The job's state from a STATUS reply (`corral ctl status`). The socket delivers datagrams in
 * order, so the reply also proves every datagram sent before it has been acted on: "nothing
 * changed" checks ask this instead of sleeping.
 */
function state(base: string): string {
  const out = ctl(base, "status", "web/srv").stdout;
  return out.split("\n")[1]?.split(/\s+/)[2] ?? "?";
}

async function stopCorral(job: Job): Promise<number | null> {
  process.kill(await corralPid(job.corral), "SIGTERM");
  const r = await job.corral.done;
  rmSync(job.base, { recursive: true, force: true });
  return r.code;
}

test("the socket is a 0600 datagram socket; .running and the pidfile hold the main pid", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  await until("files", () => existsSync(job.running) && existsSync(job.pidfile));
  assert.is(statSync(job.sock).mode & 0o777, 0o600);
  assert.ok(statSync(job.sock).isSocket());
  const pid = readFileSync(job.pidfile, "utf8").trim();
  assert.match(job.corral.stdout(), `main ${pid} up`, "pidfile holds the pid as the job sees it");
  assert.is(await stopCorral(job), 0);
  assert.not.ok(existsSync(job.sock), "socket removed on exit");
  assert.not.ok(existsSync(job.running), ".running removed on exit");
});

const CLIENTS: Array<[string, (sock: string, cmd: string) => string]> = [
  ["nc", (sock, cmd) => `echo ${cmd} | nc -w 1 -uU ${sock}`],
  ["ncat", (sock, cmd) => `echo ${cmd} | ncat -w 1 --unixsock --udp ${sock}`],
  ["socat", (sock, cmd) => `echo ${cmd} | socat - UNIX-SENDTO:${sock}`],
];
for (const [name, line] of CLIENTS) {
  test(`STOP and START through ${name}; both idempotent`, async () => {
    if (!have(name)) return skip(`${name} is not installed (.ci/run installs it)`);
    const job = startJob();
    const send = (cmd: string) => execFileSync("sh", ["-c", line(job.sock, cmd)]);
    await job.corral.waitFor(/main \d+ up/);
    await until("pidfile", () => existsSync(job.pidfile));
    const before = readFileSync(job.pidfile, "utf8");
    send("STOP");
    await until(`${name} STOP`, () => !existsSync(job.running));
    send("STOP");
    assert.is(state(job.base), "STOPPED", `${name}: STOP when stopped changes nothing`);
    send("START");
    await until(`${name} START`, () => existsSync(job.running));
    const after = readFileSync(job.pidfile, "utf8");
    assert.is.not(after, before, `${name}: a new instance`);
    send("START");
    assert.is(state(job.base), "RUNNING", `${name}: START when running does not restart`);
    assert.is(readFileSync(job.pidfile, "utf8"), after, `${name}: START when running changes nothing`);
    assert.is(await stopCorral(job), 0);
  });
}

test("the seed's find loop stops every job's processes", async () => {
  const base = mkdtempSync(join(tmpdir(), "corral-ctl-"));
  const a = startJob([], LOOP, base);
  const b = start(["--base-dir", base, "--job-name", "api", "--", "bash", "-c", LOOP]);
  await a.corral.waitFor("up");
  await b.waitFor("up");
  await until("both running", () => existsSync(join(base, "data/api/api_containerrun.running")) && existsSync(a.running));
  execFileSync("bash", ["-c", `for sock in $(find ${base}/data -name '*_containerrun.sock'); do echo STOP | nc -w 1 -uU $sock; done`]);
  await until("both stopped", () => !existsSync(join(base, "data/api/api_containerrun.running")) && !existsSync(a.running));
  process.kill(await corralPid(b), "SIGTERM");
  assert.is((await b.done).code, 0);
  assert.is(await stopCorral(a), 0);
});

test("anything but a command is ignored and changes nothing", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  await until("running", () => existsSync(job.pidfile));
  const pid = readFileSync(job.pidfile, "utf8");
  const dgram = createRequire(import.meta.url)("unix-dgram");
  const client = dgram.createSocket("unix_dgram");
  const junk = [Buffer.from("stop"), Buffer.from("STOP\0"), Buffer.from("START START"), Buffer.from(""),
    Buffer.from([0xff, 0x00, 0x13, 0x37]), Buffer.alloc(64 * 1024, "S"), Buffer.from("Stop\n"), Buffer.from("QUITTER")];
  for (const j of junk) client.send(j, 0, j.length, job.sock);
  client.close();
  // The STATUS reply comes after every junk datagram was read.
  assert.is(state(job.base), "RUNNING");
  assert.is(readFileSync(job.pidfile, "utf8"), pid);
  assert.is(await stopCorral(job), 0);
});

test("10,000 back-to-back datagrams: none lost, the state follows the last command", async () => {
  const job = startJob(["--stop-grace", "5"], "trap 'exit 0' TERM; while :; do sleep 100 & wait $!; done");
  await until("running", () => existsSync(job.running));
  const dgram = createRequire(import.meta.url)("unix-dgram");
  const client = dgram.createSocket("unix_dgram");
  const N = 10_000;
  // A full receive queue answers EAGAIN: wait a moment and resend, as a blocking sender would.
  for (let i = 0; i < N;) {
    const msg = Buffer.from(i % 2 === 0 ? "STOP\n" : "START\n");
    let error: { errno?: number } | undefined;
    client.send(msg, 0, msg.length, job.sock, (err?: { errno?: number }) => { error = err; });
    if (!error) i++;
    else if (error.errno === -11 || (error as { code?: number }).code === 1) await sleep(1);
    else throw new Error(`send failed: ${JSON.stringify(error)}`);
  }
  client.close();
  await until("all logged", () => (job.corral.stderr().match(/srv: (STOP|START)\n/g) ?? []).length >= N, 60_000);
  assert.is((job.corral.stderr().match(/srv: (STOP|START)\n/g) ?? []).length, N, "every datagram was received");
  await until("running at the end", () => state(job.base) === "RUNNING", 20_000);
  assert.is(await stopCorral(job), 0);
});

test("START during STOP's grace waits for the old instance; its files are never deleted", async () => {
  // The main command ignores SIGTERM, so it lives until SIGKILL after --stop-grace.
  const job = startJob(["--stop-grace", "0.3"], `trap '' TERM; echo "main $$ up"; while :; do sleep 100 & wait $!; done`);
  await job.corral.waitFor(/main \d+ up/);
  for (let round = 0; round < 5; round++) {
    await until("running", () => existsSync(job.pidfile) && existsSync(job.running));
    const old = readFileSync(job.pidfile, "utf8").trim();
    execFileSync("sh", ["-c", `echo STOP | socat - UNIX-SENDTO:${job.sock}; echo START | socat - UNIX-SENDTO:${job.sock}`]);
    await until("new instance", () => existsSync(job.pidfile) && readFileSync(job.pidfile, "utf8").trim() !== old);
    const fresh = readFileSync(job.pidfile, "utf8").trim();
    await sleep(500);
    assert.ok(existsSync(job.running), `round ${round}: .running of the new instance is intact`);
    assert.is(readFileSync(job.pidfile, "utf8").trim(), fresh, `round ${round}: pidfile intact`);
    assert.is(readFileSync(job.running, "utf8").trim(), fresh);
  }
  assert.is(job.corral.child.exitCode, null, "corral is still up");
  assert.is(await stopCorral(job), 0);
});

test("SIGTERM always exits 0, also while stopped or stopping", async () => {
  for (const before of ["", "STOP", "STOP START"]) {
    const job = startJob(["--stop-grace", "1"]);
    await job.corral.waitFor(/main \d+ up/);
    for (const cmd of before.split(" ").filter(Boolean)) execFileSync("sh", ["-c", `echo ${cmd} | socat - UNIX-SENDTO:${job.sock}`]);
    assert.is(await stopCorral(job), 0, `after "${before}"`);
  }
});

test("exit 0 leaves corral up and stopped until START; a non-zero exit ends it with that code", async () => {
  const base = mkdtempSync(join(tmpdir(), "corral-ctl-"));
  const marker = join(base, "runs");
  const job = startJob([], `echo run >> ${marker}; exit 0`, base);
  await until("first run", () => existsSync(marker));
  // A STATUS reply saying EXITED comes from a corral that has seen the exit and stayed up.
  await until("the exit to be seen", () => !["STARTING", "RUNNING"].includes(state(base)));
  assert.is(state(base), "EXITED");
  assert.is(job.corral.child.exitCode, null);
  execFileSync("sh", ["-c", `echo START | nc -w 1 -uU ${job.sock}`]);
  await until("second run", () => readFileSync(marker, "utf8").split("\n").length > 2);
  assert.is(await stopCorral(job), 0);

  const failing = await run(["--base-dir", mkdtempSync(join(tmpdir(), "corral-ctl-")), "--job-name", "j", "--", "sh", "-c", "exit 7"]);
  assert.is(failing.code, 7);
  const zero = await run(["--exit-on-zero", "--base-dir", mkdtempSync(join(tmpdir(), "corral-ctl-")), "--job-name", "j", "--", "true"]);
  assert.is(zero.code, 0);
});

test("QUIT sends SIGQUIT to the job", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  execFileSync("sh", ["-c", `echo QUIT | socat - UNIX-SENDTO:${job.sock}`]);
  await job.corral.waitFor("got QUIT");
  assert.is(await stopCorral(job), 0);
});

test("a socket held by a live instance is refused; a stale one is replaced", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  const second = await run(["--base-dir", job.base, "--job-name", "web", "--process-name", "srv", "--", "true"]);
  assert.is(second.code, 2);
  assert.match(second.stderr, /control socket .*srv_containerrun.sock is in use by a running instance/);
  assert.ok(existsSync(job.running), "the live instance is untouched");
  const base = job.base;
  process.kill(await corralPid(job.corral), "SIGKILL");
  await job.corral.done;
  assert.ok(existsSync(job.sock), "SIGKILL leaves a stale socket file");
  const third = await run(["--exit-on-zero", "--base-dir", base, "--job-name", "web", "--process-name", "srv", "--", "true"]);
  assert.is(third.code, 0, third.stderr);
  rmSync(base, { recursive: true, force: true });
});

test("corral ctl: status table, stop --wait, start --wait, --all", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  await until("running", () => state(job.base) === "RUNNING");
  const status = ctl(job.base, "status", "--all");
  assert.is(status.status, 0, status.stderr);
  assert.match(status.stdout, /^JOB\s+PROCESS\s+STATE\s+PID\s+SINCE\s+RESTARTS\s+LAST EXIT\n/);
  assert.match(status.stdout, /web\s+srv\s+RUNNING\s+\d+/);
  const stop = ctl(job.base, "stop", "--wait", "web");
  assert.is(stop.status, 0, stop.stderr);
  assert.is(state(job.base), "STOPPED");
  assert.is(ctl(job.base, "start", "--wait", "srv").status, 0);
  assert.is(state(job.base), "RUNNING");
  assert.is(ctl(job.base, "restart", "--wait", "all").status, 0);
  const bad = ctl(job.base, "frobnicate", "web");
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /expected start, stop, restart, quit or status, got "frobnicate"/);
  assert.is(await stopCorral(job), 0);
});

test("corral bpm: running, pid, stop (waits), start, term, quit", async () => {
  const job = startJob();
  await job.corral.waitFor(/main \d+ up/);
  await until("running", () => existsSync(job.running));
  assert.is(bpm(job.base, "running", "web", "-p", "srv").status, 0);
  const pid = bpm(job.base, "pid", "web", "-p", "srv");
  assert.is(pid.stdout.trim(), readFileSync(job.pidfile, "utf8").trim());
  assert.is(bpm(job.base, "stop", "web", "-p", "srv").status, 0);
  assert.not.ok(existsSync(job.running), "bpm stop returned after .running was gone");
  assert.is(bpm(job.base, "running", "web", "-p", "srv").status, 1);
  assert.is(bpm(job.base, "start", "web", "-p", "srv").status, 0);
  await until("restarted", () => existsSync(job.running));
  assert.is(bpm(job.base, "quit", "web", "-p", "srv").status, 0);
  await job.corral.waitFor("got QUIT");
  assert.is(bpm(job.base, "term", "web", "-p", "srv").status, 0);
  await until("term", () => !existsSync(job.running));
  assert.is(await stopCorral(job), 0);
});

test("post-start runs once the condition holds, again on START, and STOP cancels it", async () => {
  const base = mkdtempSync(join(tmpdir(), "corral-ctl-"));
  const ready = join(base, "ready"), post = join(base, "post");
  const job = startJob(["--post-start-name", "sh", "--post-start-arg", "-c", "--post-start-arg", `echo ran >> ${post}`,
    "--post-start-condition-name", "test", "--post-start-condition-arg", "-f", "--post-start-condition-arg", ready], LOOP, base);
  await job.corral.waitFor(/main \d+ up/);
  await sleep(500);
  assert.not.ok(existsSync(post), "post-start waits for its condition");
  writeFileSync(ready, "");
  await until("post-start ran", () => existsSync(post), 8000);
  execFileSync("sh", ["-c", `echo STOP | socat - UNIX-SENDTO:${job.sock}; sleep 0.3; echo START | socat - UNIX-SENDTO:${job.sock}`]);
  await until("post-start ran again", () => readFileSync(post, "utf8").split("\n").length > 2, 8000);
  assert.is(await stopCorral(job), 0);
});

test("invoked as container-run, corral takes container-run's flags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-cr-"));
  const link = join(dir, "container-run");
  symlinkSync(BUNDLE, link);
  const argv = runtimeArgv();
  const r = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", ...argv.slice(0, -1), link,
    "--base-dir", dir, "--job-name", "j", "--process-name", "p", "--", "sh", "-c", "exit 4"], { encoding: "utf8" });
  assert.is(r.status, 4, r.stderr);
  rmSync(dir, { recursive: true, force: true });
});

test.run();
