// Assembles the image's root folder: a stripped node, the shared libraries ldd names for it
// and for corral's addons, corral's bundle, and the few files a runtime expects. The
// Containerfile copies this folder as is; without a builder it can be entered directly:
//   unshare --pid --fork --mount-proc --root=.cache/image/rootfs /usr/bin/node /opt/corral/corral.js CMD...
// Usage: node build/rootfs.mjs [DIR]   (default .cache/image/rootfs; needs `npm run build` first)
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the image's root folder is assembled unless told otherwise. */
export const DEFAULT_ROOTFS = join(root, ".cache/image/rootfs");

/** Where corral's files live inside the image (and where `COPY --from=` finds them). */
export const CORRAL_DIR = "/opt/corral";

/** The node binary inside the image. */
export const IMAGE_NODE = "/usr/bin/node";

/** corral's files from dist/: the bundle, the file marking it CommonJS, the addon. */
const CORRAL_FILES = ["corral.js", "package.json", "corral.node"];
/** Node's code cache for the bundle (src/os/boot.ts): shipped when the build made one; the image's node is the one that made it. */
const OPTIONAL_FILES = ["corral.js.node.cache"];

/** The files a runtime and libc look for; users and groups for `--user`. */
const ETC_FILES = {
  "etc/passwd": "root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
  "etc/group": "root:x:0:\nnogroup:x:65534:\n",
  "etc/hosts": "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
};

/** Mount points the runtime fills, and a scratch folder anyone may write (sticky). */
const EMPTY_DIRS = { proc: 0o755, dev: 0o755, sys: 0o755, tmp: 0o1777, root: 0o700 };

/**
 * The shared objects `files` load, as ldd resolves them on this machine (absolute paths).
 * @example sharedLibraries(["/usr/bin/node"]) // ["/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2", ...]
 */
export function sharedLibraries(files) {
  const found = new Set();
  for (const file of files) {
    for (const line of execFileSync("ldd", [file], { encoding: "utf8" }).split("\n")) {
      // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
      const path = /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1];
      if (path) found.add(path);
      else if (/not found/.test(line)) throw new Error(`${file}: ldd cannot find ${line.trim()}`);
    }
  }
  return [...found].sort();
}

/** Copies `from` (following symlinks) to `dir/to` with `mode`, making parent folders. */
function place(dir, to, from, mode) {
  const target = join(dir, to);
  mkdirSync(dirname(target), { recursive: true, mode: 0o755 });
  copyFileSync(from, target);
  chmodSync(target, mode);
}

/**
 * Builds the root folder in `dir` (replaced whole) from dist/ and the running node.
 * @example assembleRootfs(".cache/image/rootfs") // { node: 86348496, libraries: 5397848, corral: 90112 }
 */
export function assembleRootfs(dir = DEFAULT_ROOTFS, node = process.execPath) {
  const dist = join(root, "dist");
  for (const f of CORRAL_FILES) {
    if (!existsSync(join(dist, f))) throw new Error(`dist/${f}: missing; run \`npm run build\` first`);
  }
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o755 });
  chmodSync(staging, 0o755);

  place(staging, IMAGE_NODE, node, 0o755);
  execFileSync("strip", ["--strip-all", join(staging, IMAGE_NODE)]);
  const libraries = sharedLibraries([node, ...CORRAL_FILES.filter((f) => f.endsWith(".node")).map((f) => join(dist, f))]);
  for (const lib of libraries) place(staging, lib, lib, 0o755);
  for (const f of CORRAL_FILES) place(staging, join(CORRAL_DIR, f), join(dist, f), f === "package.json" ? 0o644 : 0o755);
  for (const f of OPTIONAL_FILES.filter((f) => existsSync(join(dist, f)))) place(staging, join(CORRAL_DIR, f), join(dist, f), 0o644);
  for (const [path, text] of Object.entries(ETC_FILES)) {
    mkdirSync(join(staging, dirname(path)), { recursive: true, mode: 0o755 });
    writeFileSync(join(staging, path), text, { mode: 0o644 });
  }
  for (const [path, mode] of Object.entries(EMPTY_DIRS)) {
    mkdirSync(join(staging, path), { recursive: true });
    chmodSync(join(staging, path), mode); // mkdir's mode is masked by the umask
  }

  // Readers of `dir` see the old folder or the new one (or none for an instant), never half of one.
  const old = `${dir}.old-${process.pid}`;
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(staging, dir);
  rmSync(old, { recursive: true, force: true });

  const size = (p) => statSync(join(dir, p)).size;
  return {
    node: size(IMAGE_NODE),
    libraries: libraries.reduce((sum, lib) => sum + size(lib), 0),
    corral: [...CORRAL_FILES, ...OPTIONAL_FILES].filter((f) => existsSync(join(dir, CORRAL_DIR, f))).reduce((sum, f) => sum + size(join(CORRAL_DIR, f)), 0),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const dir = resolve(process.argv[2] ?? DEFAULT_ROOTFS);
  const sizes = assembleRootfs(dir);
  const mb = (n) => (n / 1e6).toFixed(1);
  console.log(`${dir}: node ${mb(sizes.node)} MB (stripped), libraries ${mb(sizes.libraries)} MB, corral ${(sizes.corral / 1024).toFixed(1)} KB`);
}
