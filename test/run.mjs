// Runs every test file (unit and integration) as its own process and prints the
// closing "N passed, N failed" line CI looks for. TypeScript tests are bundled by esbuild.
// Usage: node test/run.mjs [FILTER...]   (CORRAL_TEST_JOBS sets the parallelism, default 2)
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".cache/test");
const filters = process.argv.slice(2);
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
let passed = 0, failed = 0;
const failures = [];

function runOne(file) {
  const rel = relative(join(root, "test"), file);
  const compiled = join(out, rel.replace(/\.ts$/, ".mjs"));
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [compiled], { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, FORCE_COLOR: "0" } });
    let text = "";
    child.stdout.on("data", (d) => (text += d));
    child.stderr.on("data", (d) => (text += d));
    child.on("close", (code) => {
      const plain = strip(text);
      const p = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
      const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
      let f = total - p;
      if (code !== 0 && f === 0) f = 1; // crashed before uvu could report
      passed += p;
      failed += f;
      console.log(`${f ? "FAIL" : "ok  "} ${rel}: ${p} passed, ${f} failed (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      if (f) failures.push(`--- ${rel}\n${plain}`);
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: JOBS }, async () => {
  while (queue.length) await runOne(queue.shift());
}));
for (const f of failures) console.log(f);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
