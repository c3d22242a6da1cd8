// Builds the image under test and runs containers of it with podman, under names of this
// test run only, so that several runs (and other tests) can share the machine.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

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

/** What these machines need: runc (crun is absent), rlimits within the host's hard limits, no network. */
const RUN_FLAGS = ["--runtime", "runc", "--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768", "--network", "none"];

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
export function podman(built: BuiltImage, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("podman", ["--storage-driver", built.storageDriver, ...args], { stdio: ["ignore", "pipe", "pipe"] });
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
