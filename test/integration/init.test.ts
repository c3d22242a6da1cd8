// PID-1 duties of the built bundle, run as real PID 1 of a fresh PID namespace.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, corralPid, have, run, runtimeCommand, skip, sleep, start, stopCleanly, until } from "../helpers.ts";

test("exit codes 0..255 pass through unchanged", async () => {
  const codes = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0; i < codes.length; i += 32) {
    const batch = codes.slice(i, i + 32);
    const results = await Promise.all(batch.map((c) => run(["--", "sh", "-c", `exit ${c}`])));
    results.forEach((r, j) => assert.is(r.code, batch[j], `exit ${batch[j]}: ${r.stderr}`));
  }
});

test("a command killed by signal N makes corral exit 128+N", async () => {
  for (const n of [1, 2, 3, 6, 9, 10, 12, 13, 14, 15, 24, 34, 64]) {
    const r = await run(["--", "sh", "-c", `kill -${n} $$`]);
    assert.is(r.code, 128 + n, `signal ${n}: ${r.stderr}`);
  }
});

test("--remap-exit turns the listed codes into 0 and leaves others alone", async () => {
  assert.is((await run(["-e", "143", "--", "sh", "-c", "kill -TERM $$"])).code, 0);
  assert.is((await run(["-e", "143", "-e", "3", "--", "sh", "-c", "exit 3"])).code, 0);
  assert.is((await run(["-e", "143", "--", "sh", "-c", "exit 4"])).code, 4);
  assert.is((await run(["--", "sh", "-c", "exit 4"], { env: { CORRAL_REMAP_EXIT: "4" } })).code, 0);
});

test("command not found exits 127 and not executable exits 126, naming it on one line", async () => {
  const nf = await run(["--", "no-such-command-xyz"]);
  assert.is(nf.code, 127);
  assert.match(nf.stderr, /^corral: no-such-command-xyz: command not found\n$/);
  const dir = mkdtempSync(join(tmpdir(), "corral-"));
  const plain = join(dir, "not-executable");
  writeFileSync(plain, "#!/bin/sh\n", { mode: 0o644 });
  const ne = await run(["--", plain]);
  assert.is(ne.code, 126);
  assert.is(ne.stderr, `corral: ${plain}: permission denied (not executable)\n`);
  rmSync(dir, { recursive: true });
});

test("option parsing stops at the first non-option: corral echo -v passes -v to echo", async () => {
  const r = await run(["echo", "-v", "--grace", "x"]);
  assert.is(r.code, 0);
  assert.is(r.stdout, "-v --grace x\n");
});

test("usage errors exit 2 with one line naming the flag and value", async () => {
  for (const [args, pattern] of [
    [["--grace", "soon", "true"], /--grace: expected a number of seconds, got "soon"/],
    [["-r", "TERM", "true"], /--rewrite: expected FROM:TO/],
    [["-r", "NOPE:TERM", "true"], /--rewrite: .*"NOPE:TERM"/],
    [["-e", "256", "true"], /--remap-exit: expected an exit code 0-255, got "256"/],
    [["--frobnicate", "true"], /unknown option --frobnicate/],
    [[], /no command given/],
  ] as const) {
    const r = await run([...args], { pid1: false });
    assert.is(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

// bash traps every forwarded signal and prints it; `wait` returns when a trap fires.
const SIGNALS = ["HUP", "INT", "QUIT", "TRAP", "ABRT", "USR1", "USR2", "ALRM", "STKFLT", "CONT", "TSTP",
  "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS", "RTMIN", "RTMIN+10", "RTMAX"];
const trapper = (names: string[]) =>
  `${names.map((s) => `trap 'echo got ${s}' ${s};`).join(" ")} trap 'echo got TERM; exit 0' TERM; ` +
  `echo ready; while :; do sleep 100 & wait $!; done`;

const numberOf = (name: string) => {
  const table: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, TRAP: 5, ABRT: 6, USR1: 10, USR2: 12, ALRM: 14, TERM: 15,
    STKFLT: 16, CONT: 18, TSTP: 20, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, PWR: 30, SYS: 31,
    RTMIN: 34, "RTMIN+10": 44, RTMAX: 64 };
  return table[name]!;
};

test("every catchable signal is forwarded to the child (--single-child)", async () => {
  const c = start(["-c", "--", "bash", "-c", trapper(SIGNALS)]);
  await c.waitFor("ready");
  const pid = await corralPid(c);
  for (const s of SIGNALS) {
    process.kill(pid, numberOf(s));
    await c.waitFor(`got ${s}\n`);
  }
  process.kill(pid, "SIGTERM");
  const r = await c.done;
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes("got TERM"));
});

test("signals go to the whole process group by default", async () => {
  // The inner sh is in the same group; it reports the signal separately.
  const script = `sh -c 'trap "echo inner USR1" USR1; echo inner-up; while :; do sleep 100 & wait $!; done' & ${trapper(["USR1"])}`;
  const c = start(["--", "bash", "-c", script]);
  await c.waitFor(/^ready$/m);
  await c.waitFor("inner-up");
  process.kill(await corralPid(c), "SIGUSR1");
  await c.waitFor("got USR1");
  await c.waitFor("inner USR1");
  await stopCleanly(c);
});

test("--rewrite maps a signal to another and TO 0 drops it", async () => {
  const c = start(["-r", "USR1:USR2", "-r", "SIGHUP:0", "-r", "40:35", "-c", "--", "bash", "-c", trapper(["USR1", "USR2", "HUP", "RTMIN+1"])]);
  await c.waitFor("ready");
  const pid = await corralPid(c);
  process.kill(pid, "SIGUSR1");
  await c.waitFor("got USR2");
  process.kill(pid, 40);
  await c.waitFor("got RTMIN+1");
  process.kill(pid, "SIGHUP");
  // Signals are taken in order (and the lower number first when both are pending): once a
  // second RTMIN+1 is through, a forwarded HUP would have been too.
  process.kill(pid, 40);
  await c.waitFor(/got RTMIN\+1\n[\s\S]*got RTMIN\+1\n/);
  process.kill(pid, "SIGTERM");
  const r = await c.done;
  assert.not.match(r.stdout, /got USR1|got HUP/);
  assert.is(r.code, 0);
});

test("1000 orphans are reaped: zero zombies in /proc", async () => {
  const script = `for i in $(seq 1000); do (true &) ; done; sleep 1; ` +
    `grep -l '^[0-9]* ([^)]*) Z' /proc/[0-9]*/stat 2>/dev/null | wc -l`;
  const r = await run(["--", "bash", "-c", script]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trim(), "0");
});

test("processes left when the command exits get SIGTERM and are waited for", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-"));
  const marker = join(dir, "cleaned");
  const script = `(trap 'sleep 0.5; echo done > ${marker}; exit 0' TERM; echo bg-ready; while :; do sleep 100 & wait $!; done) & sleep 0.3; exit 0`;
  const r = await run(["-v", "--", "bash", "-c", script]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(existsSync(marker), "the leftover process finished its SIGTERM handler before corral exited");
  assert.ok(r.ms >= 700, `waited ${r.ms} ms`);
  rmSync(dir, { recursive: true });
});

test("leftovers that ignore SIGTERM are SIGKILLed after the grace period", async () => {
  const script = `(trap '' TERM; while :; do sleep 100 & wait $!; done) & sleep 0.2; exit 5`;
  const r = await run(["-t", "1", "--", "bash", "-c", script]);
  assert.is(r.code, 5, r.stderr);
  assert.match(r.stderr, /grace period over: sending SIGKILL/);
  assert.ok(r.ms >= 1000 && r.ms < 4000, `took ${r.ms} ms`);
});

test("not PID 1: corral becomes a subreaper and cleans up daemonized descendants", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-"));
  const pidfile = join(dir, "pid");
  // setsid + double fork: the daemon is re-parented to corral, not to the host's init.
  const script = `setsid sh -c 'sleep 1000 & echo $! > ${pidfile}' ; sleep 0.3; exit 0`;
  const r = await run(["-t", "2", "--", "sh", "-c", script], { pid1: false });
  assert.is(r.code, 0, r.stderr);
  const daemon = Number(readFileSync(pidfile, "utf8"));
  await sleep(100);
  assert.not.ok(alive(daemon), `daemon ${daemon} was left running`);
  rmSync(dir, { recursive: true });
});

test("on a TTY the command is the foreground group: ^C reaches it directly, exit 130", async () => {
  if (!have("script")) return skip("no script(1) to make a terminal");
  // script(1) runs corral on a pty and copies our stdin (a ^C byte) to it.
  const { spawn } = await import("node:child_process");
  const cmd = `${runtimeCommand()} -vv -- sleep 100`;
  const child = spawn("script", ["-qefc", cmd, "/dev/null"], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  // ^C only once corral has handed the terminal to the command's group (it logs the start).
  const deadline = Date.now() + 20_000;
  while (!/started sleep 100 as pid/.test(out) && Date.now() < deadline) await sleep(20);
  await sleep(100);
  child.stdin.write("\x03");
  const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  assert.is(code, 130, out);
  assert.not.match(out, /forwarded SIGINT/, "corral itself did not get the SIGINT");
});

test("EPIPE on corral's stdout/stderr does not kill it", async () => {
  const { spawn } = await import("node:child_process");
  // stderr of corral goes to a pipe whose reader is gone; -vv makes corral write to it.
  const child = spawn("sh", ["-c", `unshare --pid --fork --mount-proc ${runtimeCommand()} -vv -- sh -c 'sleep 0.3; exit 9' 2>&1 | true; echo "rc=\${PIPESTATUS:-}"`], { stdio: "pipe" });
  const code = await new Promise<number | null>((res) => child.on("close", (c) => res(c)));
  assert.is(code, 0);
  const r = await run(["-vv", "--", "sh", "-c", "exec 1>&-; exec 2>&-; sleep 0.2; exit 9"]);
  assert.is(r.code, 9);
  const help = spawn("sh", ["-c", `${runtimeCommand()} --help | head -c1 >/dev/null; echo $?`], { stdio: "pipe" });
  assert.is(await new Promise<number | null>((res) => help.on("close", (c) => res(c))), 0);
});

test.run();
