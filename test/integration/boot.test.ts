// The bundle's boot (src/os/boot.ts): the application compiled from its inlined source with the
// runtime's code cache when the cache is this build's, and compiled as it is when the cache is
// missing, another build's or damaged; the run is the same either way.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, RUNTIME, runtimeArgv } from "../helpers.ts";

const DIST = join(BUNDLE, "..");
const CACHE = `corral.js.${RUNTIME}.cache`;

/** A copy of dist/ whose cache `damage` may change; returns corral's exit code and stderr for `sh -c 'exit 3'`. */
function runWith(damage: (cache: string) => void): { code: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "corral-boot-"));
  try {
    for (const f of ["corral.js", "corral.node", "package.json", CACHE]) if (existsSync(join(DIST, f))) copyFileSync(join(DIST, f), join(dir, f));
    damage(join(dir, CACHE));
    const argv = runtimeArgv(join(dir, "corral.js"));
    const r = spawnSync(argv[0]!, [...argv.slice(1), "--", "sh", "-c", "exit 3"], {
      encoding: "utf8",
      env: { ...process.env, CORRAL_CODE_CACHE_REPORT: "1", CORRAL_CONTROL_SOCKET: "", NODE_EXTRA_CA_CERTS: "" },
    });
    return { code: r.status, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the build's code cache is used", () => {
  if (!existsSync(join(DIST, CACHE))) return assert.unreachable(`dist/${CACHE} missing: npm run build makes it`);
  const r = runWith(() => {});
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, `${CACHE}: used`);
});

test("a missing code cache: the source is compiled, the run is the same", () => {
  const r = runWith((cache) => rmSync(cache, { force: true }));
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, `${CACHE}: absent`);
});

test("another build's or runtime's code cache (other key) is not read", () => {
  const r = runWith((cache) => {
    const bytes = readFileSync(cache), eol = bytes.indexOf(10);
    writeFileSync(cache, Buffer.concat([Buffer.from(`0123456789abcdef${bytes.subarray(16, eol).toString("latin1")}`), bytes.subarray(eol)]));
  });
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, `${CACHE}: absent`);
});

test("a truncated code cache with this build's id is rejected by V8, and the run is the same", () => {
  // V8's release builds check the cache's version, flags, source length and payload length,
  // not a checksum: the file is trusted as the bundle beside it is.
  const r = runWith((cache) => writeFileSync(cache, readFileSync(cache).subarray(0, 5000)));
  assert.is(r.code, 3, r.stderr);
  assert.match(r.stderr, `${CACHE}: rejected`);
});

test("a bundle cut short (its application's end gone) says so and exits 1, running nothing", () => {
  const dir = mkdtempSync(join(tmpdir(), "corral-boot-"));
  try {
    for (const f of ["corral.node", "package.json"]) copyFileSync(join(DIST, f), join(dir, f));
    writeFileSync(join(dir, "corral.js"), readFileSync(join(DIST, "corral.js")).subarray(0, -1));
    const argv = runtimeArgv(join(dir, "corral.js"));
    const r = spawnSync(argv[0]!, [...argv.slice(1), "--", "sh", "-c", "echo RAN; exit 3"], { encoding: "utf8", env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } });
    assert.is(r.status, 1, r.stderr);
    assert.is(r.stdout, "");
    assert.match(r.stderr, /corral: .*corral\.js is damaged: the application after its boot is missing or from another build/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
