// The container image: built with buildah the way `npm run image` builds it, run with podman
// (no network), corral as PID 1 of a root with no shell; plus its footprint budget, and the
// root folder entered without any builder through `unshare --root`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { have, skip, sleep } from "../helpers.ts";
import { buildImage, CORRAL_IN_IMAGE, podman, removeContainers, runContainer, type BuiltImage, type Container } from "./podman.ts";
import { nodeEval, ORPHAN, SERVICE, TERM_42, WHO_AM_I } from "./jobs.ts";

/** The image may outgrow stripped node + its libraries by this much (corral and /etc). */
const IMAGE_OVERHEAD_BUDGET = 1024 * 1024;

const missing = ["buildah", "podman"].filter((tool) => !have(tool));
const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
let built: BuiltImage;

/** A test that needs the image; without buildah or podman it says why and does nothing. */
function imageTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (missing.length) {
      return skip(`${missing.join(" and ")} not installed (.ci/run installs them): ${name}`);
    }
    built ??= buildImage();
    await body();
  });
}

test.after(async () => { if (built) await removeContainers(built); });

imageTest("the image fits its budget: stripped node + libraries + 1 MB, compressed layer reported", async () => {
  const budget = built.node + built.libraries + IMAGE_OVERHEAD_BUDGET;
  console.log(`footprint: image ${mb(built.image)} (budget ${mb(budget)} = node ${mb(built.node)} stripped + libraries ${mb(built.libraries)} + 1 MiB);`
    + ` corral files ${(built.corral / 1024).toFixed(1)} KB; compressed layer ${mb(built.compressedLayers[0]!)}; built in ${built.buildSeconds.toFixed(1)} s`);
  assert.ok(built.image <= budget, `image is ${built.image} bytes, budget ${budget}`);
  assert.is(built.compressedLayers.length, 1, "one layer: FROM scratch + one COPY");
  assert.ok(built.compressedLayers[0]! > 0 && built.compressedLayers[0]! < built.image);
});

imageTest("the build is reproducible: the same sources give the same image id", async () => {
  const inputs = () => ["corral.js", "corral.node"].map((f) => statSync(join("dist", f)).mtimeMs).join();
  const before = inputs();
  const again = buildImage({ SOURCE_DATE_EPOCH: String(built.epoch) });
  if (again.id !== built.id && inputs() !== before) {
    return skip("dist/ was rebuilt by a concurrent build between the two image builds");
  }
  assert.is(again.id, built.id);
});

imageTest("corral is PID 1 and the parent of the command", async () => {
  const r = await runContainer(built, nodeEval(WHO_AM_I)).done;
  assert.is(r.code, 0, r.output);
  const who = JSON.parse(/\{.*\}/.exec(r.output)![0]) as { pid: number; ppid: number; init: string[] };
  assert.equal(who.init.slice(0, 2), CORRAL_IN_IMAGE);
  assert.is(who.ppid, 1);
  assert.is.not(who.pid, 1);
});

imageTest("the image's node uses the code cache the build made (start-up without a compile of the bundle)", async () => {
  const r = await runContainer(built, nodeEval("process.exit(0)"), { flags: ["-e", "CORRAL_CODE_CACHE_REPORT=1"] }).done;
  assert.is(r.code, 0, r.output);
  assert.match(r.output, "corral.js.node.cache: used");
});

imageTest("the container exits with the command's code, 128+N when it dies of signal N", async () => {
  const [exit7, killed, notFound] = await Promise.all([
    runContainer(built, nodeEval("process.exit(7)")).done,
    runContainer(built, nodeEval("process.kill(process.pid, 'SIGKILL')")).done,
    runContainer(built, ["/bin/sh", "-c", "true"]).done,
  ]);
  assert.is(exit7.code, 7, exit7.output);
  assert.is(killed.code, 128 + 9, killed.output);
  assert.is(notFound.code, 127, `there is no shell in the image: ${notFound.output}`);
});

imageTest("orphans handed to corral are reaped, not left as zombies", async () => {
  const r = await runContainer(built, nodeEval(ORPHAN)).done;
  assert.is(r.code, 0, r.output);
  const seen = JSON.parse(/\{.*\}/.exec(r.output)![0]) as { ppid: number; state: string };
  assert.is(seen.ppid, 1, `the orphan's new parent: ${r.output}`);
  assert.is(seen.state, "gone", `the orphan after it exited: ${r.output}`);
});

imageTest("SIGTERM from the runtime reaches the command, whose exit code the container keeps", async () => {
  const c = runContainer(built, nodeEval(TERM_42));
  await c.waitFor(/ready/);
  const kill = await podman(built, ["kill", "--signal", "TERM", c.name]);
  assert.is(kill.code, 0, kill.stderr);
  const r = await c.done;
  assert.match(r.output, /got SIGTERM/);
  assert.is(r.code, 42, r.output);
});

/** Whether `corral bpm` is implemented yet (issue 3); until then it is a usage error. */
const bpmLanded = () => spawnSync(process.execPath, ["dist/corral.js", "bpm", "--help"]).status === 0;

/** Two jobs in two containers sharing a data folder, like examples/kubernetes/pod.yaml (kubernetes.test.ts plays that pod itself). */
async function twoJobPod(body: (web: Container, worker: Container) => Promise<void>): Promise<void> {
  const shared = mkdtempSync(join(process.cwd(), ".cache/image/vcap-"));
  const flags = ["--volume", `${shared}:/var/vcap/data`];
  try {
    const web = runContainer(built, ["--job-name", "web", "--process-name", "nginx", "--", ...nodeEval(SERVICE)], { flags, role: "web" });
    const worker = runContainer(built, ["--job-name", "worker", "--", ...nodeEval(SERVICE)], { flags, role: "worker" });
    await Promise.all([web.waitFor(/started \d+/), worker.waitFor(/started \d+/)]);
    await body(web, worker);
  } finally {
    await removeContainers(built);
    rmSync(shared, { recursive: true, force: true });
  }
}

/** `corral bpm VERB...` run inside `container` (there is no shell there). */
const bpm = (container: Container, ...verb: string[]) => podman(built, ["exec", container.name, ...CORRAL_IN_IMAGE, "bpm", ...verb]);

/** Polls `bpm running` until it says `running` (exit 0) or not; false after ~30 s. */
async function becomes(via: Container, running: boolean, ...job: string[]): Promise<boolean> {
  for (let i = 0; i < 150; i++, await sleep(200)) if (((await bpm(via, "running", ...job)).code === 0) === running) return true;
  return false;
}

/** The pid each start of a SERVICE job announced, in order. */
const startedPids = (c: Container) => [...c.output().matchAll(/started (\d+)/g)].map((m) => Number(m[1]));

imageTest("bpm verbs from one container drive the job of another through the shared /var/vcap/data", async () => {
  if (!bpmLanded()) {
    return skip("`corral bpm` is not implemented yet (issue 3); the control-socket image test waits for it");
  }
  await twoJobPod(async (web, worker) => {
    // pid reads the pidfile under /var/vcap/sys, which each container keeps to itself.
    assert.is(Number((await bpm(worker, "pid", "worker")).stdout.trim()), startedPids(worker)[0]);
    assert.is((await bpm(web, "running", "worker")).code, 0, "worker runs");
    assert.is((await bpm(web, "stop", "worker")).code, 0);
    assert.ok(await becomes(web, false, "worker"), "worker stopped");
    assert.ok(await becomes(web, true, "web", "-p", "nginx"), "web/nginx untouched");
    assert.is((await bpm(worker, "term", "web", "-p", "nginx")).code, 0);
    assert.ok(await becomes(worker, false, "web", "-p", "nginx"), "web/nginx stopped by term");
    assert.is((await bpm(web, "start", "worker")).code, 0);
    await worker.waitFor(/started \d+[\s\S]*started \d+/);
    assert.ok(await becomes(web, true, "worker"), "worker started again");
    const [first, second] = startedPids(worker);
    assert.is.not(second, first);
    assert.is(Number((await bpm(worker, "pid", "worker")).stdout.trim()), second);
    assert.is((await bpm(web, "quit", "worker")).code, 0);
    assert.is((await worker.done).code, 128 + 3, `the job died of SIGQUIT and corral with it: ${worker.output()}`);
  });
});

test("without a builder, the root folder runs corral as PID 1 under unshare --root", async () => {
  const dir = mkdtempSync(join(process.cwd(), ".cache/image-rootfs-"));
  try {
    const made = spawnSync(process.execPath, ["build/rootfs.mjs", dir], { encoding: "utf8" });
    assert.is(made.status, 0, made.stderr);
    const r = spawnSync("unshare", ["--pid", "--fork", "--mount-proc", "--kill-child", `--root=${dir}`,
      ...CORRAL_IN_IMAGE, ...nodeEval(`${WHO_AM_I}; process.exit(5)`)], { encoding: "utf8", env: { PATH: "/usr/bin" } });
    assert.is(r.status, 5, r.stderr);
    const who = JSON.parse(r.stdout) as { ppid: number; init: string[] };
    assert.equal(who.init.slice(0, 2), CORRAL_IN_IMAGE);
    assert.is(who.ppid, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
