// Runs every test file (unit and integration) as its own process and prints the
// closing "N passed, N failed" line CI looks for (", N skipped" added when some were).
// TypeScript tests are bundled by esbuild. A test that cannot run here calls skip() from
// test/helpers.ts, which prints a "skipped: REASON" line: it is counted as skipped, never as passed.
// Usage: node test/run.mjs [--runtimes=node,deno] [FILTER...]
//   Integration tests run once per listed runtime (the bundle on Node, then on Deno; default
//   node, or CORRAL_TEST_RUNTIME), everything else once. CORRAL_TEST_JOBS sets the parallelism (2).
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// Per run, so that runs going on at the same time do not delete each other's files.
const out = join(root, ".cache", `test-${process.pid}`);
/** A test file still running after this long is killed and counted as failed. */
const FILE_TIMEOUT_MS = Number(process.env.CORRAL_TEST_FILE_TIMEOUT_MS || 10 * 60_000);
/** How long a test file may live on after uvu printed its summary. */
const LINGER_MS = 3000;
/** Tests that run the bundle, so run once per runtime. */
const PER_RUNTIME = /^integration\//;
const RUNTIMES = ["node", "deno"];
const flag = process.argv.slice(2).find((a) => a.startsWith("--runtimes="));
const filters = process.argv.slice(2).filter((a) => a !== flag);
const runtimes = (flag?.slice("--runtimes=".length) ?? process.env.CORRAL_TEST_RUNTIME ?? "node").split(",");
for (const r of runtimes) {
  if (!RUNTIMES.includes(r)) {
    console.error(`test/run.mjs: --runtimes: expected a list of ${RUNTIMES.join(", ")}, got "${r}"`);
    process.exit(2);
  }
}
const JOBS = Number(process.env.CORRAL_TEST_JOBS || 2);

const find = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith(".test.ts") ? [join(dir, e.name)] : []);
const files = find(join(root, "test")).filter((f) => !filters.length || filters.some((x) => f.includes(x))).sort();

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: files, outdir: out, outbase: join(root, "test"), bundle: true, format: "esm",
  platform: "node", target: "node20", packages: "external", outExtension: { ".js": ".mjs" }, logLevel: "warning",
});

const strip = (s) => s.replace(/\x1b\[[0-9;]*m/g, "");
/** What skip() in test/helpers.ts prints, on a line of its own (SKIP_MARKER there). */
const SKIPPED_LINE = /^skipped: (.*)$/gm;
let passed = 0, failed = 0, skipped = 0;
const failures = [];
const skips = [];

function runOne({ file, runtime }) {
  const rel = relative(join(root, "test"), file);
  const compiled = join(out, rel.replace(/\.ts$/, ".mjs"));
  const label = runtime ? `${rel} [${runtime}]` : rel;
  return new Promise((resolve) => {
    const t0 = Date.now();
    // Own process group: killing it also ends the corrals a failed test left running
    // (unshare --kill-child takes its namespace down with it).
    const child = spawn(process.execPath, [compiled], { cwd: root, detached: true, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0", CORRAL_TEST_RUNTIME: runtime ?? "node" } });
    const killGroup = () => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } };
    let text = "";
    let lingering;
    let reported = false;
    const collect = (d) => {
      text += d;
      // uvu has reported: whatever keeps the file alive now is a leftover of a failed test.
      if (!lingering && /Duration:/.test(strip(text))) lingering = setTimeout(() => { reported = true; killGroup(); }, LINGER_MS);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      text += `\n(killed: still running after ${FILE_TIMEOUT_MS / 1000} s)\n`;
      killGroup();
    }, FILE_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      clearTimeout(lingering);
      const plain = strip(text);
      const p = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
      const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
      let f = total - p;
      if (code !== 0 && f === 0 && !reported) f = 1; // crashed before uvu could report
      // uvu counted a test that called skip() as passed; uvu's own test.skip is not in Total.
      const reasons = [...plain.matchAll(SKIPPED_LINE)].map((m) => m[1]);
      const skippedHere = Math.min(reasons.length, p);
      const s = skippedHere + Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
      passed += p - skippedHere;
      failed += f;
      skipped += s;
      for (const r of reasons) skips.push(`skipped ${label}: ${r}`);
      console.log(`${f ? "FAIL" : "ok  "} ${label}: ${p - skippedHere} passed, ${f} failed${s ? `, ${s} skipped` : ""} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (f) failures.push(`--- ${label}\n${plain}`);
      else for (const note of plain.match(/^note: .*$/gm) ?? []) console.log(`     ${note}`); // what a test measured
      resolve();
    });
  });
}

const relOf = (f) => relative(join(root, "test"), f);
const queue = [
  ...files.filter((f) => !PER_RUNTIME.test(relOf(f))).map((file) => ({ file })),
  ...runtimes.flatMap((runtime) => files.filter((f) => PER_RUNTIME.test(relOf(f))).map((file) => ({ file, runtime }))),
];
await Promise.all(Array.from({ length: JOBS }, async () => {
  while (queue.length) await runOne(queue.shift());
}));
rmSync(out, { recursive: true, force: true });
for (const f of failures) console.log(f);
for (const s of skips) console.log(s);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed ? 1 : 0);
