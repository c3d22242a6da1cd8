// `corral --config`: supervisord-style programs under corral as PID 1 of a PID namespace.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corralPid, run, runtimeArgv, sleep, start, stopCleanly, until } from "../helpers.ts";

const dirs: string[] = [];
function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), "corral-sup-"));
  dirs.push(d);
  return d;
}
function config(dir: string, text: string): string {
  const file = join(dir, "corral.conf");
  writeFileSync(file, text);
  return file;
}
const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean) : []);

test("the seed-004 config runs unmodified (programs replaced by small scripts), logs on stdout", async () => {
  const dir = workdir();
  const programs = ["webserver", "monitoring-tool", "service-discovery", "debugging-tool"];
  const conf = config(dir, programs.map((p) => `[program:${p}]
command=sh -c 'echo ${p} up; exec sleep 100'
numprocs=1
stdout_logfile=/dev/fd/1
stdout_logfile_maxbytes=0
`).join("\n"));
  const c = start(["--config", conf]);
  for (const p of programs) await c.waitFor(`${p} up`);
  const r = await stopCleanly(c);
});

test("a crash-looping program backs off 1, 2, 4 s and goes FATAL after startretries", async () => {
  const dir = workdir();
  const stamps = join(dir, "starts");
  const conf = config(dir, `[program:flaky]
command=sh -c 'date +%%s%%N >> ${stamps}; exit 1'
startsecs=1
startretries=3
autorestart=true
`);
  const c = start(["-v", "--config", conf]);
  await c.waitFor("flaky: BACKOFF -> FATAL", 20_000).catch(() => c.waitFor("-> FATAL", 1000));
  const t = lines(stamps).map((l) => Number(l) / 1e6);
  assert.is(t.length, 4, "one start and three retries");
  const gaps = t.slice(1).map((x, i) => x - t[i]!);
  [1000, 2000, 4000].forEach((want, i) => assert.ok(gaps[i]! >= want - 50 && gaps[i]! < want + 700, `gap ${i}: ${gaps[i]} ms, want ~${want}`));
  await stopCleanly(c);
});

test("a critical program's exit stops everything and becomes corral's exit code", async () => {
  const dir = workdir();
  const conf = config(dir, `[program:other]
command=sleep 100
[program:main]
command=sh -c 'sleep 0.5; exit 9'
critical=true
startsecs=0
`);
  const r = await run(["--config", conf]);
  assert.is(r.code, 9, r.stderr);
});

test("a program starts only once its dependency answers its HTTP readiness probe", async () => {
  const dir = workdir();
  const order = join(dir, "order");
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = `setTimeout(() => require('http').createServer((q, s) => { s.end('ok') }).listen(${port}, '127.0.0.1', () => require('fs').appendFileSync('${order}', 'db-ready\\n')), 1000)`;
  const conf = config(dir, `[program:app]
command=sh -c 'echo app-start >> ${order}; exec sleep 100'
depends_on=db
priority=1
[program:db]
command=${process.execPath} -e "${server.replace(/"/g, '\\"')}"
ready=http://127.0.0.1:${port}/health
priority=2
startsecs=0
`);
  const c = start(["--config", conf]);
  await until("app started", () => lines(order).includes("app-start"));
  assert.equal(lines(order), ["db-ready", "app-start"]);
  await stopCleanly(c);
});

test("SIGTERM stops programs in reverse priority order, each with its stopsignal", async () => {
  const dir = workdir();
  const log = join(dir, "stops");
  const prog = (name: string, priority: number, sig = "TERM") => `[program:${name}]
command=bash -c 'trap "sleep 0.2; echo ${name} >> ${log}; exit 0" ${sig}; echo ${name} up; while :; do sleep 100 & wait $!; done'
priority=${priority}
stopsignal=${sig}
startsecs=0
`;
  const conf = config(dir, [prog("first", 1), prog("second", 2, "INT"), prog("third", 3)].join("\n"));
  const c = start(["--config", conf]);
  for (const n of ["first", "second", "third"]) await c.waitFor(`${n} up`);
  const r = await stopCleanly(c);
  assert.equal(lines(log), ["third", "second", "first"]);
});

test("SIGHUP re-reads the config: new programs start, removed ones stop, changed ones restart", async () => {
  const dir = workdir();
  const prog = (name: string, word = "up") => `[program:${name}]
command=sh -c 'echo ${name} ${word}; exec sleep 100'
startsecs=0
`;
  const conf = config(dir, prog("keep") + prog("gone") + prog("change"));
  const c = start(["-v", "--config", conf]);
  for (const n of ["keep", "gone", "change"]) await c.waitFor(`${n} up`);
  config(dir, prog("keep") + prog("change", "again") + prog("added"));
  process.kill(await corralPid(c), "SIGHUP");
  await c.waitFor("added up");
  await c.waitFor("change again");
  await c.waitFor(/gone: STOPPING -> STOPPED/);
  assert.is((c.stdout().match(/keep up/g) ?? []).length, 1, "unchanged program left alone");
  config(dir, "[program:broken]\nstartsecs=soon\n");
  process.kill(await corralPid(c), "SIGHUP");
  await c.waitFor("config not reloaded");
  await stopCleanly(c);
});

test("autorestart=unexpected restarts on codes outside exitcodes only", async () => {
  const dir = workdir();
  const count = join(dir, "count");
  const conf = config(dir, `[program:once]
command=sh -c 'echo x >> ${count}; sleep 0.3; exit 3'
exitcodes=0,3
startsecs=0
[program:again]
command=sh -c 'echo y >> ${count}.2; sleep 0.3; exit 4'
exitcodes=0,3
startsecs=0
`);
  const c = start(["--config", conf]);
  await until("restarted", () => lines(`${count}.2`).length >= 3);
  assert.is(lines(count).length, 1, "an expected exit code is not restarted");
  await stopCleanly(c);
});

test("job= gives each program a control socket; ctl status/stop/start act on one program", async () => {
  const dir = workdir();
  const conf = config(dir, `[program:web]
command=sleep 100
job=stack
startsecs=0
[program:worker]
command=sleep 100
job=stack
startsecs=0
`);
  const c = start(["--base-dir", dir, "--config", conf]);
  await until("sockets", () => existsSync(join(dir, "data/stack/worker_containerrun.sock")) && existsSync(join(dir, "data/stack/web_containerrun.running")));
  const ctl = (...args: string[]) => spawnSync(runtimeArgv()[0]!, [...runtimeArgv().slice(1), "ctl", "--base-dir", dir, ...args], { encoding: "utf8" });
  assert.is(ctl("stop", "--wait", "worker").status, 0);
  const status = ctl("status", "all");
  assert.match(status.stdout, /stack\s+web\s+RUNNING/);
  assert.match(status.stdout, /stack\s+worker\s+STOPPED/);
  assert.is(ctl("restart", "--wait", "all").status, 0);
  assert.match(ctl("status", "stack").stdout, /stack\s+worker\s+RUNNING/);
  await stopCleanly(c);
  assert.is(readdirSync(join(dir, "data/stack")).length, 0, "sockets and .running files removed");
});

test("a base image's config with no programs stays up, says so once, takes programs by SIGHUP, ends on SIGTERM", async () => {
  const dir = workdir();
  const conf = config(dir, "[supervisord]\nnodaemon=true\n[include]\nfiles=conf.d/*.conf\n");
  const c = start(["--config", conf]);
  await c.waitFor("no programs yet");
  await sleep(1500);
  assert.is(c.stderr().split("no programs yet").length, 2, `said once: ${c.stderr()}`);
  mkdirSync(join(dir, "conf.d"));
  writeFileSync(join(dir, "conf.d/web.conf"), "[program:web]\ncommand=sh -c 'echo web up; exec sleep 100'\n");
  const pid = await corralPid(c);
  process.kill(pid, "SIGHUP");
  await c.waitFor("web up");
  process.kill(pid, "SIGTERM");
  const r = await c.done;
  assert.is(r.code, 0, r.stderr);
});

test("20 malformed configs: exit 2, one line naming file, line and key, nothing started", async () => {
  const bad = join(process.cwd(), "test/fixtures/configs/bad");
  const expected = readFileSync(join(bad, "expected.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#"));
  assert.ok(expected.length >= 20);
  const results = await Promise.all(expected.map(async (line) => {
    const [file, pattern] = line.split("\t") as [string, string];
    return { file, pattern, r: await run(["--config", join(bad, file)]) };
  }));
  for (const { file, pattern, r } of results) {
    assert.is(r.code, 2, `${file}: ${r.stderr}`);
    const out = r.stderr.trim().split("\n");
    assert.is(out.length, 1, `${file}: one line, got ${r.stderr}`);
    assert.match(out[0]!, new RegExp(pattern), file);
    assert.is(r.stdout, "", `${file}: nothing started`);
  }
});

test.after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
test.run();
