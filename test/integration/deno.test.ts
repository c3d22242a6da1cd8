// What only the Deno pass can show (and one start-up check both runtimes must pass): the bundle on Deno with the documented permission set,
// and Deno's datagram sockets talking to Node's (both directions of the control protocol).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, BUNDLE, corralPid, DENO_PERMISSIONS, denoBinary, run, skipOn, sleep, start } from "../helpers.ts";

const LOOP = `trap 'exit 0' TERM; echo "main $$ up"; while :; do sleep 100 & wait $!; done`;
// Prints "got NAME" the first time each of HUP, INT, USR1 arrives; exits 0 on TERM.
// One os.write per line: a print() can be cut by the next signal's handler ("gotgot HUP").
const PY_COUNTER = `import os, signal, sys, time
seen = set()
def got(n, f):
    if n not in seen:
        seen.add(n); os.write(1, ("got %s\\n" % signal.Signals(n).name[3:]).encode())
for s in (signal.SIGHUP, signal.SIGINT, signal.SIGUSR1): signal.signal(s, got)
signal.signal(signal.SIGTERM, lambda n, f: sys.exit(0))
os.write(1, b"ready\\n")
while True: time.sleep(100)`;
const onNode = (...args: string[]) => spawnSync(process.execPath, [BUNDLE, ...args], { encoding: "utf8" });
const onDeno = (...args: string[]) => spawnSync(denoBinary(), ["run", ...DENO_PERMISSIONS, BUNDLE, ...args], { encoding: "utf8" });

test("with the documented permissions (no --allow-all, no --allow-run) PID 1 runs, reaps and exits cleanly", async () => {
  if (skipOn("node", "Deno-only test; it runs in the Deno pass")) return;
  const r = await run(["--", "sh", "-c", "(sleep 0.1 &); exit 7"]);
  assert.is(r.code, 7);
  assert.is(r.stderr, "", "no permission prompts or errors");
});

test("signals throughout start-up reach the job and never end corral (Deno's own signal thread is claimed)", async () => {
  // Deno starts a signal thread of its own about 500 ms in; unclaimed, a HUP, INT or TERM
  // reaching it ends the process, and a USR1 opens an inspector. Send all but TERM as fast
  // as they go across that moment; corral must forward them and live on.
  // The job is Python: bash's traps crash (double free) under such a storm.
  const names = ["HUP", "INT", "USR1"];
  const c = start(["--", "python3", "-c", PY_COUNTER]);
  const t0 = Date.now();
  await c.waitFor("ready");
  const pid = await corralPid(c);
  let sent = 0;
  while (Date.now() - t0 < 1500) {
    process.kill(pid, `SIG${names[sent++ % names.length]}` as NodeJS.Signals);
    if (sent % 30 === 0) await sleep(1);
  }
  for (const s of names) await c.waitFor(`got ${s}\n`);
  assert.ok(alive(pid), `corral died during start-up; stderr: ${c.stderr()}`);
  process.kill(pid, "SIGTERM");
  const r = await c.done;
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /Debugger listening|inspector/i);
  assert.ok(sent > 100, `only ${sent} signals sent`);
});

test("ctl on Node reaches corral on Deno and ctl on Deno reaches corral on Node", async () => {
  if (skipOn("node", "Deno-only test; it runs in the Deno pass")) return;
  const base = mkdtempSync(join(tmpdir(), "corral-deno-"));
  const flags = ["--base-dir", base, "--job-name", "web", "--process-name", "srv"];
  const sock = join(base, "data/web/srv_containerrun.sock");
  const onDenoCorral = start([...flags, "--", "bash", "-c", LOOP]);
  await onDenoCorral.waitFor(/main \d+ up/);
  for (let i = 0; i < 200 && !existsSync(sock); i++) await sleep(20);
  const fromNode = onNode("ctl", "--base-dir", base, "status", "web/srv");
  assert.is(fromNode.status, 0, fromNode.stderr);
  assert.match(fromNode.stdout, /srv/);
  process.kill(await corralPid(onDenoCorral), "SIGTERM");
  assert.is((await onDenoCorral.done).code, 0);

  const nodeCorral = spawn(process.execPath, [BUNDLE, ...flags, "--", "sleep", "100"], { stdio: "ignore" });
  // The socket file may still be the Deno corral's until the Node one replaces it.
  let fromDeno = onDeno("ctl", "--base-dir", base, "status", "web/srv");
  for (let i = 0; i < 50 && fromDeno.status !== 0; i++) {
    await sleep(100);
    fromDeno = onDeno("ctl", "--base-dir", base, "status", "web/srv");
  }
  assert.is(fromDeno.status, 0, fromDeno.stderr);
  assert.match(fromDeno.stdout, /srv/);
  nodeCorral.kill("SIGTERM");
  rmSync(base, { recursive: true, force: true });
});

test.run();
