// Socket activation and sd_notify through podman (issue 23): a listener handed to `podman run`
// reaches the job in the container (--preserve-fds, and LISTEN_FDS as a socket-activated
// container gets it), and `podman run --sdnotify=container` passes on corral's READY=1 only
// once the last program is ready.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { have, skip, until } from "../helpers.ts";
import { ask, launch, receiver } from "../sockets.ts";
import { buildImage, containerName, podman, RUN_FLAGS, type BuiltImage } from "./podman.ts";
import { nodeEval } from "./jobs.ts";

const missing = ["buildah", "podman", "python3"].filter((tool) => !have(tool));
let built: BuiltImage;
const names: string[] = [];

/** A test that needs the image; without its tools it says why and does nothing. */
function imageTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (missing.length) return skip(`${missing.join(" and ")} not installed (.ci/run installs them): ${name}`);
    built ??= buildImage();
    await body();
  });
}

test.after(async () => { if (built && names.length) await podman(built, ["rm", "--force", "--ignore", ...names]); });

/** `podman run` of the image under test, as one argv, named `role` in this test run. */
function podmanRun(role: string, flags: readonly string[], args: string[]): string[] {
  const name = containerName(role);
  names.push(name);
  return ["podman", "--storage-driver", built.storageDriver, "run", "--rm", "--name", name, ...RUN_FLAGS, ...flags, built.id, ...args];
}

/** The job in the image (node only): accepts one connection on fd 3 and says its pid and LISTEN_PID. */
const ACCEPT_ON_FD_3 = `
const server = require("net").createServer((c) => {
  c.end("pid=" + process.pid + " listen_pid=" + (process.env.LISTEN_PID || "-") + "\\n");
  server.close();
});
server.listen({ fd: 3 });`;

for (const [how, flags, env] of [
  ["--preserve-fds 1 with CORRAL_PRESERVE_FDS=1", ["--preserve-fds", "1", "-e", "CORRAL_PRESERVE_FDS=1"], {}],
  ["LISTEN_FDS=1 (a socket-activated container)", [], { LISTEN_FDS: "1" }],
] as const) {
  imageTest(`podman run ${how}: the job in the container accepts on the host's listener (no network of its own)`, async () => {
    const l = launch(1, podmanRun(`fd-${Object.keys(env).length}`, flags, ["--", ...nodeEval(ACCEPT_ON_FD_3)]), env);
    const [port] = await l.ports;
    const { line, hangUp } = await ask(port!);
    hangUp();
    const f = Object.fromEntries(line.split(" ").map((kv) => kv.split("=")));
    assert.is(f["listen_pid"], "LISTEN_FDS" in env ? f["pid"] : "-", line);
    const r = await l.done;
    assert.is(r.code, 0, r.stderr);
  });
}

imageTest("podman run --sdnotify=container: READY=1 reaches podman's NOTIFY_SOCKET only once the last program's ready= passes", async () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-podman-notify-"));
  const r = await receiver(join(dir, "notify.sock"));
  try {
    const js = (source: string) => `/usr/bin/node -e "${source}"`;
    writeFileSync(join(dir, "corral.conf"), `[program:a]\ncommand=${js("setInterval(() => {}, 1e9)")}\nstartsecs=0\n\n` +
      `[program:b]\ncommand=${js("require('fs').writeFileSync('/shared/b.started', ''); setInterval(() => {}, 1e9)")}\nstartsecs=0\n` +
      `ready=exec:${js("require('fs').statSync('/shared/b.ready')")}\n`);
    const argv = podmanRun("notify", ["--sdnotify=container", "-v", `${dir}:/shared`], ["--config", "/shared/corral.conf"]);
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NOTIFY_SOCKET: join(dir, "notify.sock") } });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const done = new Promise<number | null>((resolve) => child.on("close", resolve));
    await until("program b to start", () => existsSync(join(dir, "b.started")), 60_000);
    assert.not.ok(r.messages.some((m) => m.includes("READY=1")), `no READY=1 while b is not ready: ${JSON.stringify(r.messages)}`);
    writeFileSync(join(dir, "b.ready"), "");
    await until("READY=1", () => r.messages.some((m) => m.includes("READY=1")), 30_000);
    const stopped = await podman(built, ["stop", "--time", "10", names[names.length - 1]!]);
    assert.is(stopped.code, 0, stopped.stderr);
    assert.is(await done, 0, output);
  } finally {
    r.child.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
