// Builds the image under test and runs containers of it with podman, under names of this
// test run only, so that several runs (and other tests) can share the machine.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { Manifest } from "./manifest-check.ts";

/** What `node build/image.mjs --json` reports (sizes in bytes). */
export interface BuiltImage {
  tag: string;
  id: string;
  /** The timestamp of every file and of the image (SOURCE_DATE_EPOCH). */
  epoch: number;
  storageDriver: string;
  buildSeconds: number;
  node: number;
  libraries: number;
  corral: number;
  image: number;
  compressedLayers: number[];
}

/** The OCI runtime these machines have (crun is absent). */
const RUNTIME = "runc";
/** rlimits within the host's hard limits (podman's defaults exceed them). */
const ULIMITS = ["nofile=20000:20000", "nproc=32768:32768"];
/** What these machines need: runc, rlimits within the host's hard limits, no network (every `podman run` of the image tests). */
export const RUN_FLAGS = ["--runtime", RUNTIME, ...ULIMITS.flatMap((u) => ["--ulimit", u]), "--network", "none"];

/** corral inside the image, for `podman exec` (there is no shell to find it). */
export const CORRAL_IN_IMAGE = ["/usr/bin/node", "/opt/corral/corral.js"];

/**
 * Builds (or rebuilds) the image the way `npm run image` does; dist/ must be built.
 * @example const built = buildImage(); built.id // "sha256:..."
 */
export function buildImage(env: Record<string, string> = {}): BuiltImage {
  const r = spawnSync(process.execPath, ["build/image.mjs", "--json"], { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`build/image.mjs exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as BuiltImage;
}

/** A container started in the foreground: its output so far and its end. */
export interface Container {
  name: string;
  child: ChildProcess;
  output(): string;
  done: Promise<{ code: number | null; output: string }>;
  /** Resolves once `pattern` shows up in the container's output. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

let serial = 0;
const started: string[] = [];

/**
 * The container name of `role` in this test run (unique across concurrent runs).
 * @example containerName("web") // "corral-test-4242-web"
 */
export const containerName = (role: string) => `corral-test-${process.pid}-${role}`;

/** How to run one container: extra `podman run` flags, a role that names it. */
export interface RunOptions {
  flags?: string[];
  role?: string;
}

/**
 * podman with the storage driver the image was built with; resolves to its exit code and output.
 * @example await podman(built, ["exec", name, "/usr/bin/node", "-v"]) // { code: 0, stdout: "v20...\n", stderr: "" }
 */
export function podman(built: BuiltImage, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("podman", ["--storage-driver", built.storageDriver, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the image in the foreground (`podman run --rm`) with corral's arguments `args`.
 * @example const c = runContainer(built, ["/usr/bin/node", "-e", "process.exit(3)"]); (await c.done).code // 3
 */
export function runContainer(built: BuiltImage, args: string[], options: RunOptions = {}): Container {
  const name = containerName(options.role ?? String(++serial));
  started.push(name);
  const child = spawn("podman", ["--storage-driver", built.storageDriver, "run", "--rm", "--name", name, ...RUN_FLAGS, ...(options.flags ?? []), built.id, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  const waiters = new Set<() => void>();
  const append = (d: Buffer) => { text += d; waiters.forEach((w) => w()); };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const done = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on("close", (code) => { waiters.forEach((w) => w()); resolve({ code, output: text }); });
  });
  const waitFor = (pattern: RegExp, timeoutMs = 30_000) => new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`${name}: timed out waiting for ${pattern}; output: ${text}`)); }, timeoutMs);
    const check = () => {
      const m = pattern.exec(text);
      if (m) { clearTimeout(timer); waiters.delete(check); resolve(m); return; }
      if (child.exitCode !== null) { clearTimeout(timer); waiters.delete(check); reject(new Error(`${name}: exited before ${pattern}; output: ${text}`)); }
    };
    waiters.add(check);
    check();
  });
  return { name, child, output: () => text, done, waitFor };
}

/** Removes every container this test run started that is still there (after a failure). */
export async function removeContainers(built: BuiltImage): Promise<void> {
  if (started.length) await podman(built, ["rm", "--force", "--ignore", ...started.splice(0)]);
}

/** A pod that `podman kube play` runs from a copy of an example's manifests. */
export interface KubePod {
  /** The pod's name in this test run (the example's, made unique). */
  name: string;
  /** The name podman gives the pod's container `container`: POD-CONTAINER. */
  container(container: string): string;
  /** `podman exec` into the pod's container `container`. */
  exec(container: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** The environment podman runs with for this pod (CONTAINERS_CONF). */
  env: Record<string, string>;
  /**
   * Stops the pod as the kubelet does (SIGTERM to every container, SIGKILL after its stop
   * timeout), then `podman kube down`s it: each container's exit code (by name) and kube down's result.
   */
  down(): Promise<{ exitCodes: Record<string, number>; down: { code: number | null; stdout: string; stderr: string } }>;
}

/** Pods, ConfigMap volumes and folders this test run made, for cleanup after a failure. */
const kubeLeftovers = { pods: [] as string[], volumes: [] as string[], dirs: [] as string[] };

/**
 * The containers.conf for `podman kube play` on these machines (kube play takes no --runtime or
 * --ulimit): runc, the image test's rlimits, and the image under test as the pod's infra
 * ("pause") container, since there is no network to pull a pause image and no catatonit to build
 * podman's own.
 */
function kubeContainersConf(built: BuiltImage, dir: string): string {
  const path = join(dir, "containers.conf");
  writeFileSync(path, [
    "[containers]",
    `default_ulimits = ${JSON.stringify(ULIMITS)}`,
    "[engine]",
    `runtime = "${RUNTIME}"`,
    `infra_image = "${built.id.replace(/^sha256:/, "")}"`,
    "",
  ].join("\n"));
  return path;
}

/**
 * Plays `manifests` (an example's, as parsed) with `podman kube play --network none`, after
 * giving every Pod and ConfigMap a name of this test run (`role`), dropping the containers'
 * `ports` (there is no network to publish them on) and pinning `image` to the image under test.
 * @example const pod = await kubePlay(built, parseManifests("pod.yaml", text), "demo"); await pod.exec("web", ["/usr/bin/node", "-v"])
 */
export async function kubePlay(built: BuiltImage, manifests: Manifest[], role: string): Promise<KubePod> {
  const parent = join(process.cwd(), ".cache/image");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, "kube-"));
  kubeLeftovers.dirs.push(dir);
  const env = { CONTAINERS_CONF: kubeContainersConf(built, dir) };
  const image = built.id.replace(/^sha256:/, "");
  const renamed = new Map<string, string>();
  const rename = (m: Manifest, suffix: string) => {
    const meta = m["metadata"] as { name: string };
    renamed.set(meta.name, (meta.name = containerName(`${role}${suffix}`)));
  };
  const copies = manifests.map((m) => structuredClone(m));
  copies.filter((m) => m.kind === "ConfigMap").forEach((m, i) => rename(m, `-conf${i}`));
  const pods = copies.filter((m) => m.kind === "Pod");
  if (pods.length !== 1) throw new Error(`kubePlay: expected one Pod, got ${pods.length}`);
  rename(pods[0]!, "");
  const spec = pods[0]!["spec"] as { containers: Array<Record<string, unknown>>; volumes?: Array<{ configMap?: { name: string } }> };
  for (const c of spec.containers) {
    delete c["ports"];
    c["image"] = image;
  }
  for (const v of spec.volumes ?? []) if (v.configMap) v.configMap.name = renamed.get(v.configMap.name) ?? v.configMap.name;
  const file = join(dir, "pod.yaml");
  writeFileSync(file, copies.map((m) => stringify(m)).join("---\n"));

  const name = (pods[0]!["metadata"] as { name: string }).name;
  // podman 4.3 names a ConfigMap's volume after the ConfigMap and leaves it there on kube down.
  const volumes = copies.filter((m) => m.kind === "ConfigMap").map((m) => (m["metadata"] as { name: string }).name);
  kubeLeftovers.pods.push(name);
  kubeLeftovers.volumes.push(...volumes);
  const run = (args: string[]) => podman(built, args, env);
  const played = await run(["kube", "play", "--network", "none", file]);
  if (played.code !== 0) throw new Error(`podman kube play exited ${played.code}: ${played.stderr}`);
  const container = (c: string) => `${name}-${c}`;
  return {
    name, container, env,
    exec: (c, args) => run(["exec", container(c), ...args]),
    async down() {
      // podman before 5.1 kills every container of the pod at once on kube down (SIGKILL, exit
      // 137; containers/podman#22397): a stop first gives corral the SIGTERM the kubelet sends.
      const stopped = await run(["pod", "stop", name]);
      if (stopped.code !== 0) throw new Error(`podman pod stop exited ${stopped.code}: ${stopped.stderr}`);
      const listed = await run(["ps", "--all", "--filter", `pod=${name}`, "--format", "{{.Names}} {{.ExitCode}}"]);
      const exitCodes = Object.fromEntries(listed.stdout.trim().split("\n").map((l) => l.split(" ")).map(([c, code]) => [c!, Number(code)]));
      const down = await run(["kube", "down", file]);
      for (const v of volumes) await run(["volume", "rm", "--force", v]);
      return { exitCodes, down };
    },
  };
}

/** Removes every pod (and ConfigMap volume) kubePlay made in this test run that is still there. */
export async function removeKubePods(built: BuiltImage): Promise<void> {
  const { pods, volumes, dirs } = kubeLeftovers;
  if (pods.length) await podman(built, ["pod", "rm", "--force", "--ignore", ...pods.splice(0)]);
  for (const v of volumes.splice(0)) await podman(built, ["volume", "rm", "--force", v]);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
