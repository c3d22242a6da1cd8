// What only the Deno pass can show: the bundle on Deno with the documented permission set,
// and Deno's datagram sockets talking to Node's (both directions of the control protocol).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, corralPid, DENO_PERMISSIONS, denoBinary, run, skipOn, sleep, start } from "../helpers.ts";

const LOOP = `trap 'exit 0' TERM; echo "main $$ up"; while :; do sleep 100 & wait $!; done`;
const onNode = (...args: string[]) => spawnSync(process.execPath, [BUNDLE, ...args], { encoding: "utf8" });
const onDeno = (...args: string[]) => spawnSync(denoBinary(), ["run", ...DENO_PERMISSIONS, BUNDLE, ...args], { encoding: "utf8" });

test("with the documented permissions (no --allow-all, no --allow-run) PID 1 runs, reaps and exits cleanly", async () => {
  if (skipOn("node", "Deno-only test; it runs in the Deno pass")) return;
  const r = await run(["--", "sh", "-c", "(sleep 0.1 &); exit 7"]);
  assert.is(r.code, 7);
  assert.is(r.stderr, "", "no permission prompts or errors");
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
