// Builds the container image with buildah: assembles the root folder (build/rootfs.mjs), builds
// the Containerfile reproducibly, and exports it as an OCI layout to report the compressed size.
// Usage: node build/image.mjs [--json] [TAG]   (default localhost/corral:latest; `npm run image`
// runs `npm run build` first). STORAGE_DRIVER picks buildah's storage driver (default vfs);
// SOURCE_DATE_EPOCH the files' and the image's timestamp (default: HEAD's commit time).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { assembleRootfs, DEFAULT_ROOTFS } from "./rootfs.mjs";

const root = join(fileURLToPath(import.meta.url), "../..");
const work = join(root, ".cache/image");

/** The tag `npm run image` gives the image. */
const DEFAULT_TAG = "localhost/corral:latest";

/** vfs needs no kernel overlay support or fuse: it works in CI's containers and as root anywhere. */
const DEFAULT_STORAGE_DRIVER = "vfs";

/** How long to wait for another build of the image before giving up. */
const LOCK_TIMEOUT_MS = 10 * 60_000;

const args = process.argv.slice(2);
const json = args.includes("--json");
const tag = args.find((a) => a !== "--json") ?? DEFAULT_TAG;
const storageDriver = process.env.STORAGE_DRIVER || DEFAULT_STORAGE_DRIVER;

/** Runs buildah with the storage driver every caller must agree on. */
const buildah = (...rest) => execFileSync("buildah", ["--storage-driver", storageDriver, ...rest], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

/** Holds `.cache/image.lock` while the rootfs and the image are rebuilt (parallel test runs). */
async function withLock(body) {
  const lock = join(root, ".cache/image.lock");
  mkdirSync(join(root, ".cache"), { recursive: true });
  for (const started = Date.now(); ;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let owner = 0;
      try { owner = Number(readFileSync(join(lock, "pid"), "utf8")); } catch { /* being created */ }
      const ownerGone = owner > 0 && !isAlive(owner);
      if (ownerGone || Date.now() - started > LOCK_TIMEOUT_MS) rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try { return await body(); } finally { rmSync(lock, { recursive: true, force: true }); }
}

function isAlive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === "EPERM"; }
}

/** The commit time of HEAD, so the image's timestamps change only with the sources. */
function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try { return Number(execFileSync("git", ["log", "-1", "--format=%ct"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim()); } catch { return 0; }
}

/** Sizes of the layers of the OCI layout at `dir`, as exported (gzip-compressed). */
function compressedLayers(dir) {
  const blob = (digest) => readFileSync(join(dir, "blobs", ...digest.split(":")), "utf8");
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8"));
  const manifest = JSON.parse(blob(index.manifests[0].digest));
  return manifest.layers.map((l) => l.size);
}

const summary = await withLock(async () => {
  const t0 = Date.now();
  const sizes = assembleRootfs(DEFAULT_ROOTFS);
  const iidFile = join(work, "iid");
  const epoch = sourceDateEpoch();
  buildah("bud", "--quiet", "--isolation", "chroot", "--timestamp", String(epoch), "--identity-label=false",
    "--iidfile", iidFile, "-f", join(root, "Containerfile"), "-t", tag, DEFAULT_ROOTFS);
  const id = readFileSync(iidFile, "utf8").trim();
  const buildSeconds = (Date.now() - t0) / 1000;
  const oci = join(work, "oci");
  rmSync(oci, { recursive: true, force: true });
  buildah("push", "--quiet", id, `oci:${oci}:${tag.replace(/^.*\//, "").replace(":", "-")}`);
  const manifest = JSON.parse(buildah("inspect", "--type", "image", "--format", "{{.Manifest}}", id));
  const image = manifest.layers.reduce((sum, l) => sum + l.size, 0); // uncompressed layer tars
  return { tag, id, epoch, storageDriver, buildSeconds, ...sizes, image, compressedLayers: compressedLayers(oci) };
});

if (json) {
  console.log(JSON.stringify(summary));
} else {
  const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
  console.log(`${summary.tag} ${summary.id.slice(0, 19)} built in ${summary.buildSeconds.toFixed(1)} s (storage: ${storageDriver})`);
  console.log(`image ${mb(summary.image)} = node ${mb(summary.node)} + libraries ${mb(summary.libraries)} + corral ${(summary.corral / 1024).toFixed(1)} KB + files; compressed layer ${mb(summary.compressedLayers[0])}`);
}
