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

/** Runs `corral -- ...command` from a scratch directory that `prepare` fills; its exit code and output. */
function runFrom(prepare: (dir: string) => void, command: string[]): { code: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "corral-boot-"));
  try {
    prepare(dir);
    const argv = runtimeArgv(join(dir, "corral.js"));
    const r = spawnSync(argv[0]!, [...argv.slice(1), "--", ...command], {
      encoding: "utf8",
      env: { ...process.env, CORRAL_CODE_CACHE_REPORT: "1", CORRAL_CONTROL_SOCKET: "", NODE_EXTRA_CA_CERTS: "" },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr.replaceAll(dir, "DIR") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Copies the files of dist/ named in `files` (those that exist) into `dir`. */
const copyDist = (dir: string, files: string[]) => {
  for (const f of files) if (existsSync(join(DIST, f))) copyFileSync(join(DIST, f), join(dir, f));
};

/** A copy of dist/ whose cache `damage` may change; returns corral's exit code and stderr for `sh -c 'exit 3'`. */
const runWith = (damage: (cache: string) => void) => runFrom((dir) => {
  copyDist(dir, ["corral.js", "corral.node", "package.json", CACHE]);
  damage(join(dir, CACHE));
}, ["sh", "-c", "exit 3"]);

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
  const r = runFrom((dir) => {
    copyDist(dir, ["corral.node", "package.json"]);
    writeFileSync(join(dir, "corral.js"), readFileSync(join(DIST, "corral.js")).subarray(0, -1));
  }, ["sh", "-c", "echo RAN; exit 3"]);
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stdout, "");
  assert.is(r.stderr, "corral: DIR/corral.js is damaged: the application after its boot is missing or from another build; install it again\n");
});

test("a bundle without corral.node beside it says which file it cannot load and exits 1, running nothing", () => {
  const r = runFrom((dir) => copyDist(dir, ["corral.js", "package.json"]), ["sh", "-c", "echo RAN; exit 3"]);
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^corral: cannot load DIR\/corral\.node, which DIR\/corral\.js needs: .*; install it again\n$/);
});

test.run();
