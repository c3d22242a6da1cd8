// `corral --config FILE --check [--strict]` through the real bundle: listing on stdout, exit
// codes, one error line on stderr, nothing started; --strict also refuses to run. Generated
// configs (test/parity/, seeded) through the bundle's --check and supervisord's own parser: the
// same verdict and every field alike.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { run, runtimeCommand, skip } from "../helpers.ts";
import { generateConfig, GEN_ENV, GEN_GROUP, GEN_PASSWD } from "../parity/config-gen.ts";
import { oracleAvailable } from "../parity/config-view.ts";
import { checkView, maskPasswords } from "../parity/check-view.ts";
import { describeMismatches, runParity } from "../parity/run.ts";

/** How many generated configs go through the bundle (each is one run of it), and from which seed. */
const SEED = Number(process.env["CORRAL_CHECK_SEED"] ?? 19);
const COUNT = Number(process.env["CORRAL_CHECK_COUNT"] ?? 40);

const dir = mkdtempSync(join(tmpdir(), "corral-check-"));
const conf = join(dir, "supervisord.conf");
writeFileSync(conf, "[supervisord]\nnodaemon=true\n[program:web]\ncommand=touch " + join(dir, "started") + "\nusername=www\n");

test("--check lists the process and the warning, exits 0 and starts nothing", async () => {
  const r = await run(["--config", conf, "--check"], { pid1: false });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^process web section=program:web$/m);
  assert.match(r.stdout, /^process web command="touch .*started"$/m);
  assert.match(r.stdout, /^process web stopsignal=TERM$/m);
  assert.match(r.stdout, /^warning: .*supervisord\.conf:5: \[program:web\] username: ignored, as supervisord does$/m);
  assert.is(r.stderr, "");
  assert.not.ok((await import("node:fs")).existsSync(join(dir, "started")));
});

test("--check --strict: exit 2 with one line on stderr", async () => {
  const r = await run(["--config", conf, "--check", "--strict"], { pid1: false });
  assert.is(r.code, 2);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /--strict: 1 warning in .*username: ignored/);
});

test("--strict without --check refuses to run a config with warnings", async () => {
  const r = await run(["--config", conf, "--strict"], { pid1: false });
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /--strict: .*username: ignored, as supervisord does/);
});

test(`${COUNT} generated configs (seed ${SEED}): the bundle's --check agrees with supervisord's parser on every verdict and field`, () => {
  if (!oracleAvailable()) return skip("supervisord's Python package is not installed");
  if (process.getuid?.() !== 0) return skip("root is needed to bind the generated passwd and group over /etc (unshare --mount)");
  const world = mkdtempSync(join(tmpdir(), "corral-check-world-"));
  try {
    writeFileSync(join(world, "passwd"), GEN_PASSWD);
    writeFileSync(join(world, "group"), GEN_GROUP);
    // The bundle sees the accounts the oracle sees: the generated passwd and group bound over /etc in a private mount namespace.
    const shell = `mount --bind ${world}/passwd /etc/passwd && mount --bind ${world}/group /etc/group && exec ${runtimeCommand()} --config "$1" --check`;
    const env = { ...GEN_ENV, DENO_DIR: join(world, "deno"), NODE_EXTRA_CA_CERTS: "" };
    const corral = (main: string) => {
      const r = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c", shell, "sh", main], { encoding: "utf8", env, timeout: 30_000 });
      return checkView(r.status, r.stdout, r.stderr);
    };
    const configs = Array.from({ length: COUNT }, (_, i) => generateConfig(SEED, i));
    const report = runParity(configs, corral, 1, maskPasswords);
    console.log(`\nnote: seed ${SEED}: ${report.total} configs through --check, supervisord accepts ${report.accepted}; agreed ${report.agreed}, ` +
      `deviation-table rows ${report.deviating}, mismatches ${report.mismatches.length}`);
    assert.ok(report.accepted >= report.total / 4, `too few accepted configs to compare fields: ${report.accepted}`);
    assert.is(report.mismatches.length, 0, describeMismatches(report));
  } finally {
    rmSync(world, { recursive: true, force: true });
  }
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
