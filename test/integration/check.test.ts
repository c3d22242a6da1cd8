// `corral --config FILE --check [--strict]` through the real bundle: listing on stdout, exit
// codes, one error line on stderr, nothing started; --strict also refuses to run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { run } from "../helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "corral-check-"));
const conf = join(dir, "supervisord.conf");
writeFileSync(conf, "[supervisord]\nnodaemon=true\n[program:web]\ncommand=touch " + join(dir, "started") + "\nusername=www\n");

test("--check lists the process and the warning, exits 0 and starts nothing", async () => {
  const r = await run(["--config", conf, "--check"], { pid1: false });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^program web: command="touch .*started" user=- autostart=true /m);
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

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
