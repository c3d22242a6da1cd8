// Builds dist/: corral.js (one minified file with a shebang: src/os/boot.ts, then the
// application as one comment it reads back), the native addon beside it (corral.node from
// src/native) and corral.js.{node,deno}.cache, V8's code caches (optional: start-up without them is as before).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

/** node-gyp: npm's own copy (npm exports its path to scripts), else the one beside npm. */
function nodeGyp() {
  if (process.env.npm_config_node_gyp) return process.env.npm_config_node_gyp;
  const npmDir = dirname(dirname(process.env.npm_execpath ?? execFileSync("which", ["npm"]).toString().trim()));
  return join(npmDir, "lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js");
}

/** The `deno` dev dependency's executable (node_modules/.bin/deno links to it, as the bench uses), or undefined. */
function denoBinary() {
  const bin = join(root, "node_modules/.bin/deno");
  return existsSync(bin) ? bin : undefined;
}

mkdirSync(dist, { recursive: true });

// Several builds may run at once (parallel test runs): one at a time, outputs renamed into place.
const lock = join(dist, ".build.lock");
for (let waited = 0; ; waited += 50) {
  try { mkdirSync(lock); break; } catch (e) {
    if (e.code !== "EEXIST") throw e;
    if (waited > 120_000) rmSync(lock, { recursive: true, force: true }); // a crashed build
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}
process.on("exit", () => rmSync(lock, { recursive: true, force: true }));

/** Copies `from` to `to` through a temporary name, so readers never see half a file. */
function install(from, to) {
  copyFileSync(from, `${to}.tmp`);
  renameSync(`${to}.tmp`, to);
}

const mtime = (f) => { try { return statSync(f).mtimeMs; } catch { return 0; } };
const addon = join(root, "src/native/build/Release/corral.node");
const sources = ["corral.h", "pump.h", "corral.c", "args.c", "spawn.c", "signals.c", "io.c", "locks.c", "pump-loop.c", "pump-output.c", "pump-format.c", "pump-raw.c", "pump-tails.c", "pump-events.c", "pump-napi.c", "dgram.c", "proc.c", "fds.c", "listen.c", "binding.gyp"].map((f) => join(root, "src/native", f));
if (Math.max(...sources.map(mtime)) > mtime(addon)) {
  // Node's headers come from the system (offline): /usr/include/node.
  execFileSync(process.execPath, [nodeGyp(), "rebuild", "--silent", "--directory", join(root, "src/native")], {
    stdio: "inherit",
    env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir || "/usr" },
  });
}
install(addon, join(dist, "corral.node"));
// The application bundle, kept in memory: it goes into dist/corral.js after the boot.
const common = {
  bundle: true,
  minify: true,
  // CommonJS loads ~10 ms faster than ESM on Node 20 (measured: 32 vs 42 ms for `corral /bin/true`);
  // dist/package.json marks it as such for Node and Deno.
  format: "cjs",
  platform: "node",
  target: "node20",
  legalComments: "none",
  logLevel: "warning",
  write: false,
};
const app = (await esbuild.build({ ...common, entryPoints: [join(root, "src/main.ts")], define: { CORRAL_VERSION: JSON.stringify(pkg.version) } }))
  .outputFiles[0].text;
// Same source, same id: a rebuild that changes nothing keeps its code cache valid.
const buildId = createHash("sha256").update(app).digest("hex").slice(0, 16);
// The application goes after the boot as one comment (src/os/boot.ts reads it back, as latin1):
// plain ASCII (esbuild escapes the rest), its `*` `/` written as APP_COMMENT_END, "*~/".
// The markers are the boot's own (appStart, APP_END, APP_COMMENT_END), loaded from its source.
const bootEntry = join(root, "src/os/boot.ts");
const bootApi = await import(`data:text/javascript,${encodeURIComponent((await esbuild.build({ ...common, minify: false, format: "esm", entryPoints: [bootEntry] })).outputFiles[0].text)}`);
const marker = bootApi.appStart(buildId);
if (/[^\x01-\x7f]/.test(app)) throw new Error("build: the application bundle has a NUL or a non-ASCII byte");
if (app.includes(bootApi.appStart("").trimEnd())) throw new Error("build: the application bundle holds the marker of its own start");
if (app.includes(bootApi.APP_COMMENT_END)) throw new Error(`build: the application bundle holds "${bootApi.APP_COMMENT_END}", the stand-in for a comment's end`);
// The boot catches signals unless a subcommand runs, before the application (which holds
// the subcommands) is compiled: it gets their names from commands/names.ts, loaded as the markers are.
const { SUBCOMMAND_NAMES } = await import(`data:text/javascript,${encodeURIComponent((await esbuild.build({ ...common, minify: false, format: "esm", entryPoints: [join(root, "src/commands/names.ts")] })).outputFiles[0].text)}`);
const bootText = (await esbuild.build({
  ...common,
  entryPoints: [bootEntry],
  define: { CORRAL_BUILD_ID: JSON.stringify(buildId), CORRAL_SUBCOMMANDS: JSON.stringify(SUBCOMMAND_NAMES) },
  banner: { js: "#!/usr/bin/env node" },
})).outputFiles[0].text;
// The boot takes the first copy of the marker for the application's start (appSource).
if ((bootText + marker).indexOf(marker) !== bootText.length) throw new Error("build: the boot's own text holds this build's marker");
const boot = bootText + marker + app.replaceAll("*/", bootApi.APP_COMMENT_END) + bootApi.APP_END;
writeFileSync(join(dist, "corral.js.tmp"), boot, { mode: 0o755 });
chmodSync(join(dist, "corral.js.tmp"), 0o755);
renameSync(join(dist, "corral.js.tmp"), join(dist, "corral.js"));
writeFileSync(join(dist, "package.json"), '{"type":"commonjs"}\n');

// The code cache of `corral -- /bin/true` for each runtime, written by that run at its exit
// (src/os/boot.ts). Another Node, Deno or build rejects it and compiles the source instead.
/** The environment of a cache-making run: no V8 flags from the build's (a cache made with any is rejected without them). */
function cacheEnv(writeTo) {
  const env = { ...process.env, CORRAL_WRITE_CODE_CACHE: writeTo, CORRAL_CONTROL_SOCKET: "", NODE_EXTRA_CA_CERTS: "" };
  delete env.NODE_OPTIONS;
  delete env.DENO_V8_FLAGS; // Deno refuses an empty one
  return env;
}
const caches = { node: [process.execPath], deno: [denoBinary(), "run", "--no-prompt", "--unstable-detect-cjs", "--allow-all"] };
for (const [runtime, argv] of Object.entries(caches)) {
  const cacheFile = join(dist, `corral.js.${runtime}.cache`);
  rmSync(cacheFile, { force: true });
  if (process.env.CORRAL_NO_CODE_CACHE || !argv[0]) continue;
  try {
    execFileSync(argv[0], [...argv.slice(1), join(dist, "corral.js"), "--", "/bin/true"], {
      stdio: ["ignore", "inherit", "inherit"],
      env: cacheEnv(`${cacheFile}.tmp`),
    });
    renameSync(`${cacheFile}.tmp`, cacheFile);
  } catch (err) {
    // An optimization only: corral starts without it as it did before there was one.
    rmSync(`${cacheFile}.tmp`, { force: true });
    console.warn(`build: no ${runtime} code cache (${err.message.split("\n")[0]}); corral starts without it`);
  }
}

const kb = (f) => (statSync(join(dist, f)).size / 1024).toFixed(1);
rmSync(join(dist, "unix_dgram.node"), { force: true }); // shipped by builds before corral.node received datagrams
rmSync(join(dist, "corral.js.cache"), { force: true }); // the name before there was one per runtime
console.log(`dist/corral.js ${kb("corral.js")} KB, corral.node ${kb("corral.node")} KB` +
  Object.keys(caches).map((r) => `corral.js.${r}.cache`).filter((f) => existsSync(join(dist, f))).map((f) => `, ${f} ${kb(f)} KB`).join(""));
