// The docs describe the code: every relative link in README.md and docs/ resolves, and every
// generated table (flags, exit codes, config keys) is what `node build/docs.mjs` renders from the code
// today, and the metric list names every family /metrics publishes.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { brokenLinks, docFiles, renderBlocks, slug } from "../../build/doc-tables.ts";

const root = process.cwd();

test("every relative link in README.md and docs/ resolves to a file and heading", () => {
  const broken = docFiles(root).flatMap((f) => brokenLinks(root, f));
  assert.equal(broken, [], broken.join("\n"));
});

test("every generated table matches the code it describes (run node build/docs.mjs to update)", () => {
  for (const file of docFiles(root)) {
    const text = readFileSync(file, "utf8");
    assert.is(renderBlocks(text), text, `${relative(root, file)}: a generated table is out of date`);
  }
});

test("the README has the generated exit codes, docs/pid1.md the flags, docs/configuration.md the config keys", () => {
  assert.ok(readFileSync("README.md", "utf8").includes("<!-- generated:exit-codes"));
  assert.ok(readFileSync("docs/pid1.md", "utf8").includes("<!-- generated:flags"));
  assert.ok(readFileSync("docs/configuration.md", "utf8").includes("<!-- generated:config-keys"));
});

test("docs/web-and-metrics.md lists every metric family src/web/metrics.ts publishes, with its type", () => {
  const code = readFileSync("src/web/metrics.ts", "utf8");
  const families = [...code.matchAll(/family\("([a-z_]+)", "(gauge|counter)"/g)].map((m) => [m[1]!, m[2]!]);
  assert.ok(families.length >= 9, `found ${families.length} families in src/web/metrics.ts`);
  const doc = readFileSync("docs/web-and-metrics.md", "utf8");
  for (const [name, type] of families) assert.match(doc, new RegExp(`^\\| \`${name}\` \\| ${type} \\|`, "m"), `${name} (${type})`);
});

test("a heading's anchor is GitHub's", () => {
  assert.is(slug("Process control: container-run's socket"), "process-control-container-runs-socket");
  assert.is(slug("Several programs: `--config` (supervisord-compatible)"), "several-programs---config-supervisord-compatible");
});

test.run();
