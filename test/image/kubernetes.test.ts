// examples/kubernetes: the manifests pass an offline schema check against the Kubernetes API and
// are what the README promises (corral as PID 1 of each container, a shared /var/vcap/data
// emptyDir for the control sockets; a config-mode pod whose readiness probe is `corral ctl
// ready`); then both pods run for real under `podman kube play` (no network, the image under
// test), driven through `podman exec` as through `kubectl exec`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { have, run, skip, sleep } from "../helpers.ts";
import { checkManifests, parseManifests, type Manifest } from "./manifest-check.ts";
import { buildImage, CORRAL_IN_IMAGE, kubePlay, removeKubePods, type BuiltImage, type KubePod } from "./podman.ts";

const DIR = join(process.cwd(), "examples/kubernetes");
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const inputs = files.map((f) => ({ file: `examples/kubernetes/${f}`, manifests: parseManifests(f, readFileSync(join(DIR, f), "utf8")) }));

interface Container {
  name: string;
  args?: string[];
  command?: string[];
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  readinessProbe?: { exec?: { command: string[] } };
}
interface PodSpec { containers: Container[]; volumes?: Array<{ name: string; emptyDir?: object; configMap?: { name: string } }> }

/** The manifests of examples/kubernetes/FILE. */
const example = (file: string) => inputs.find((i) => i.file === `examples/kubernetes/${file}`)!.manifests;
const podOf = (manifests: Manifest[]) => manifests.find((m) => m.kind === "Pod")!;
const specOf = (manifests: Manifest[]) => podOf(manifests)["spec"] as PodSpec;
/** Pods in config mode (`corral --config`) and in container-run mode (a job per container). */
const isConfigMode = (pod: Manifest) => (pod["spec"] as PodSpec).containers.some((c) => c.args?.includes("--config"));

test("the example manifests pass the Kubernetes 1.30 schema check", () => {
  assert.ok(inputs.length > 0, "no manifests in examples/kubernetes");
  assert.equal(checkManifests(inputs), []);
});

test("the schema check rejects misspelled fields, wrong types and missing names", () => {
  const pod = (container: object): Manifest => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [container] } });
  const problems = checkManifests([{ file: "bad.yaml", manifests: [
    pod({ name: "a", image: "i", volumeMount: [] }),
    pod({ name: "a", image: "i", args: "--job-name web" }),
    pod({ image: "i" }),
    { apiVersion: "v1", kind: "Pood" },
  ] }]);
  assert.is(problems.length, 4, problems.join("\n"));
  assert.match(problems[0]!, /^bad\.yaml: document 4 \(Pood\): apiVersion\/kind "v1\/Pood"/);
  assert.match(problems[1]!, /^bad\.yaml: document 1 \(Pod\): .*'"volumeMount"' does not exist in type 'Container'/);
  assert.match(problems[2]!, /^bad\.yaml: document 2 \(Pod\): .*not assignable to type 'string\[\]'/);
  assert.match(problems[3]!, /^bad\.yaml: document 3 \(Pod\): .*'name' is missing/);
});

test("each container of a container-run pod runs corral with a job name and mounts the shared emptyDir", () => {
  const pods = inputs.flatMap((i) => i.manifests).filter((m) => m.kind === "Pod" && !isConfigMode(m));
  assert.ok(pods.length > 0, "no container-run Pod in examples/kubernetes");
  for (const pod of pods) {
    const spec = pod["spec"] as PodSpec;
    const shared = spec.volumes?.find((v) => v.emptyDir !== undefined);
    assert.ok(shared, "an emptyDir volume");
    assert.ok(spec.containers.length >= 2, "several containers, one job each");
    for (const c of spec.containers) {
      assert.is(c.command, undefined, `${c.name}: command would replace corral, the image's ENTRYPOINT`);
      assert.ok(c.args?.includes("--job-name"), `${c.name}: --job-name enables the control socket`);
      assert.ok(c.volumeMounts?.some((m) => m.name === shared!.name && m.mountPath === "/var/vcap/data"), `${c.name}: mounts ${shared!.name} at /var/vcap/data`);
    }
  }
});

test("the config-mode pod runs corral --config on its ConfigMap, ready when `corral ctl ready` says so", async () => {
  const manifests = example("supervisord-pod.yaml");
  const spec = specOf(manifests);
  assert.is(spec.containers.length, 1, "one container, several programs");
  const c = spec.containers[0]!;
  assert.is(c.command, undefined, "command would replace corral, the image's ENTRYPOINT");
  assert.equal(c.readinessProbe?.exec?.command, [...CORRAL_IN_IMAGE, "ctl", "ready"]);
  const configPath = c.args![c.args!.indexOf("--config") + 1]!;
  const volume = spec.volumes!.find((v) => v.configMap)!;
  const mount = c.volumeMounts!.find((m) => m.name === volume.name)!;
  assert.ok(configPath.startsWith(`${mount.mountPath}/`), `${configPath} lies in the ConfigMap's mount ${mount.mountPath}`);
  const configMap = manifests.find((m) => m.kind === "ConfigMap" && (m["metadata"] as { name: string }).name === volume.configMap!.name)!;
  const text = (configMap["data"] as Record<string, string>)[configPath.slice(mount.mountPath.length + 1)];
  assert.type(text, "string", `the ConfigMap has the key ${configPath.slice(mount.mountPath.length + 1)}`);
  // corral itself reads the config, strictly (no key supervisord would ignore).
  const dir = mkdtempSync(join(process.cwd(), ".cache/kube-conf-"));
  try {
    writeFileSync(join(dir, "supervisord.conf"), text!);
    const checked = await run(["--config", join(dir, "supervisord.conf"), "--check", "--strict"], { pid1: false });
    assert.is(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^process (\S+:)?web autostart=true$/m);
    assert.match(checked.stdout, /^process (\S+:)?debugging-tool autostart=false$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("stop-all.sh runs `kubectl exec POD -c CONTAINER -- corral ctl VERB --all`", async () => {
  // A kubectl that only records its arguments: how the script calls kubectl, nothing more.
  const bin = mkdtempSync(join(process.cwd(), ".cache/kubectl-"));
  try {
    writeFileSync(join(bin, "kubectl"), '#!/bin/sh\nprintf "%s\\n" "$@"\n');
    chmodSync(join(bin, "kubectl"), 0o755);
    const r = await spawnText("sh", ["examples/kubernetes/stop-all.sh", "my-pod", "worker", "start"], { PATH: `${bin}:${process.env.PATH}`, PODMAN: "" });
    assert.is(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split("\n"), ["exec", "my-pod", "-c", "worker", "--", ...CORRAL_IN_IMAGE, "ctl", "start", "--all"]);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
});

// --- the pods, run for real --------------------------------------------------------------------

const missing = ["buildah", "podman"].filter((tool) => !have(tool));
let built: BuiltImage;

/** A test that needs the image and podman; without them it says why and does nothing. */
function podTest(name: string, body: () => Promise<void>): void {
  test(name, async () => {
    if (missing.length) return skip(`${missing.join(" and ")} not installed (.ci/run installs them): ${name}`);
    built ??= buildImage();
    await body();
  });
}

test.after(async () => { if (built) await removeKubePods(built); });

/** Runs `cmd` with `env` added; its exit code and output. */
function spawnText(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Polls `probe` every 200 ms until it returns true; false after `ms`. */
async function eventually(probe: () => Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(200)) if (await probe()) return true;
  return false;
}

/** `corral ctl ARGS` in the pod's container `container`. */
const ctl = (pod: KubePod, container: string, ...args: string[]) => pod.exec(container, [...CORRAL_IN_IMAGE, "ctl", ...args]);

/**
 * The container's readinessProbe run as the kubelet runs an exec probe: the command inside the
 * container, exit 0 = ready. podman kube play ignores readinessProbe (containers/podman#12417).
 */
function readiness(pod: KubePod, manifests: Manifest[], container: string) {
  const probe = specOf(manifests).containers.find((c) => c.name === container)!.readinessProbe!.exec!.command;
  return pod.exec(container, probe);
}

/** JOB -> {state, pid} from a container-run `corral ctl status --all` table. */
function jobTable(text: string): Record<string, { state: string; pid: string }> {
  const rows = text.trim().split("\n").slice(1).map((l) => l.trim().split(/\s+/));
  return Object.fromEntries(rows.map(([job, , state, pid]) => [job!, { state: state!, pid: pid! }]));
}

/** Stops the pod as the kubelet would, kube-downs it, and checks that it ended cleanly. */
async function downCleanly(pod: KubePod): Promise<void> {
  const { exitCodes, down } = await pod.down();
  assert.is(down.code, 0, down.stderr);
  for (const [container, code] of Object.entries(exitCodes)) assert.is(code, 0, `${container} exited ${code} on SIGTERM`);
  assert.ok(Object.keys(exitCodes).length >= 2, `the pod's containers, infra included: ${JSON.stringify(exitCodes)}`);
  const exists = await spawnText("podman", ["--storage-driver", built.storageDriver, "pod", "exists", pod.name]);
  assert.is(exists.code, 1, `pod ${pod.name} is gone after kube down`);
  const left = await spawnText("podman", ["--storage-driver", built.storageDriver, "ps", "--all", "--quiet", "--filter", `name=^${pod.name}-`]);
  assert.is(left.stdout.trim(), "", "no container of the pod is left");
}

podTest("pod.yaml under podman kube play: both jobs RUNNING through one container, stop-all.sh stops and starts them, kube down ends the pod", async () => {
  const manifests = example("pod.yaml");
  const pod = await kubePlay(built, manifests, "demo");
  const status = async () => { const r = await ctl(pod, "web", "status", "--all"); return { ...r, jobs: jobTable(r.stdout) }; };
  // The worker container may start a moment after web: wait for its socket in the shared emptyDir.
  assert.ok(await eventually(async () => { const s = await status(); return s.jobs["web"]?.state === "RUNNING" && s.jobs["worker"]?.state === "RUNNING"; }),
    `both jobs RUNNING, seen from the web container: ${JSON.stringify(await status())}`);
  const before = (await status()).jobs;
  assert.is((await readiness(pod, manifests, "web")).code, 0, "web's readinessProbe (bpm running web) passes");

  const stopAll = (verb: string) => spawnText("sh", ["examples/kubernetes/stop-all.sh", pod.name, "web", verb],
    { ...pod.env, PODMAN: `podman --storage-driver ${built.storageDriver}` });
  const stopped = await stopAll("stop");
  assert.is(stopped.code, 0, stopped.stderr);
  assert.ok(await eventually(async () => { const s = await status(); return s.jobs["web"]?.state === "STOPPED" && s.jobs["worker"]?.state === "STOPPED"; }),
    `both jobs STOPPED: ${JSON.stringify(await status())}`);
  const probe = await readiness(pod, manifests, "web");
  assert.is(probe.code, 1, `a stopped web fails its readinessProbe: ${probe.stdout}${probe.stderr}`);
  const worker = await ctl(pod, "worker", "status", "--all");
  assert.equal(Object.values(jobTable(worker.stdout)).map((j) => j.state), ["STOPPED", "STOPPED"], "the worker container sees the same");

  const started = await stopAll("start");
  assert.is(started.code, 0, started.stderr);
  assert.ok(await eventually(async () => { const s = await status(); return s.jobs["web"]?.state === "RUNNING" && s.jobs["worker"]?.state === "RUNNING"; }),
    `both jobs RUNNING again: ${JSON.stringify(await status())}`);
  const after = (await status()).jobs;
  assert.is.not(after["web"]!.pid, before["web"]!.pid, "web was started anew");
  assert.is.not(after["worker"]!.pid, before["worker"]!.pid, "worker was started anew");
  assert.is((await readiness(pod, manifests, "web")).code, 0, "web is ready again");

  await downCleanly(pod);
});

podTest("supervisord-pod.yaml under podman kube play: ready by `corral ctl ready`, programs driven by `corral ctl`, kube down ends the pod", async () => {
  const manifests = example("supervisord-pod.yaml");
  const pod = await kubePlay(built, manifests, "supervisord");
  const t0 = Date.now();
  let last = { code: null as number | null, stdout: "", stderr: "" };
  assert.ok(await eventually(async () => (last = await readiness(pod, manifests, "app")).code === 0), `ready: ${JSON.stringify(last)}`);
  console.log(`supervisord-pod: ready ${Date.now() - t0} ms after kube play`);
  assert.match(last.stdout, /^ready: web, worker$/m);

  const status = await ctl(pod, "app", "status");
  assert.is(status.code, 3, `supervisorctl's code when a program is not running (debugging-tool): ${status.stdout}${status.stderr}`);
  assert.match(status.stdout, /^web\s+RUNNING\s+pid \d+, uptime /m);
  assert.match(status.stdout, /^worker\s+RUNNING\s+pid \d+, uptime /m);
  assert.match(status.stdout, /^debugging-tool\s+STOPPED\s+Not started$/m);

  // A stopped program takes the pod out of service; starting it brings the pod back.
  assert.is((await ctl(pod, "app", "stop", "web")).code, 0);
  const notReady = await readiness(pod, manifests, "app");
  assert.is(notReady.code, 1);
  assert.match(notReady.stdout + notReady.stderr, /not ready: web \(STOPPED\)/);
  assert.is((await ctl(pod, "app", "start", "web")).code, 0);
  assert.ok(await eventually(async () => (last = await readiness(pod, manifests, "app")).code === 0), `ready again: ${JSON.stringify(last)}`);

  // The autostart=false program starts on demand, without touching readiness.
  const tool = await ctl(pod, "app", "start", "debugging-tool");
  assert.is(tool.code, 0, tool.stdout + tool.stderr);
  const all = await ctl(pod, "app", "status");
  assert.is(all.code, 0, all.stdout);
  assert.match(all.stdout, /^debugging-tool\s+RUNNING\s+pid \d+/m);
  assert.is((await readiness(pod, manifests, "app")).code, 0);

  await downCleanly(pod);
});

test.run();
