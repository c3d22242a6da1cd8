// loadConfig on real files: --config FILE, --config DIR, [include] globs relative to the includer.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfig } from "../../src/config/load.ts";
import { UsageError } from "../../src/core/errors.ts";

const opts = { hostname: "box", passwd: () => "" };
let dir = "";

/** Writes files under a fresh temp dir; returns its path. */
function tree(files: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), "corral-config-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
const program = (name: string) => `[program:${name}]\ncommand=/bin/${name}\n`;
const names = (paths: string[]) => loadConfig(paths, {}, opts).programs.map((p) => p.name);
const message = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

test.after.each(() => rmSync(dir, { recursive: true, force: true }));

test("a config error is a UsageError, so the CLI exits 2", () => {
  assert.instance(new ConfigError("x"), UsageError);
});

test("--config DIR reads every *.conf in it, sorted, and skips other files and dotfiles", () => {
  const d = tree({ "b.conf": program("b"), "a.conf": program("a"), "c.ini": program("c"), ".d.conf": program("d") });
  const config = loadConfig([d], {}, opts);
  assert.equal(config.programs.map((p) => p.name), ["a", "b"]);
  assert.equal(config.files, [join(d, "a.conf"), join(d, "b.conf")]);
});

test("several --config values are read together", () => {
  const d = tree({ "one.conf": program("one"), "more/two.conf": program("two") });
  assert.equal(names([join(d, "one.conf"), join(d, "more")]), ["one", "two"]);
});

test("[include] files= globs resolve against the including file's directory, sorted", () => {
  const d = tree({
    "etc/supervisord.conf": "[supervisord]\nnodaemon=true\n[include]\nfiles = conf.d/*.conf extra/[ab].conf\n",
    "etc/conf.d/web.conf": program("web"),
    "etc/conf.d/db.conf": program("db"),
    "etc/conf.d/notes.txt": program("notes"),
    "etc/extra/a.conf": program("a"),
    "etc/extra/c.conf": program("c"),
  });
  const config = loadConfig([join(d, "etc/supervisord.conf")], {}, opts);
  assert.equal(config.programs.map((p) => p.name), ["a", "db", "web"]);
  assert.equal(config.files, ["supervisord.conf", "conf.d/db.conf", "conf.d/web.conf", "extra/a.conf"].map((f) => join(d, "etc", f)));
});

test("%(here)s in an included file is that file's directory; %(ENV_X)s works in files=", () => {
  const d = tree({
    "main.conf": "[include]\nfiles=%(ENV_CONFD)s/*.conf\n",
    "sub/web.conf": "[program:web]\ncommand=%(here)s/run.sh\n",
  });
  const config = loadConfig([join(d, "main.conf")], { CONFD: join(d, "sub") }, opts);
  assert.equal(config.programs[0]!.command, [join(d, "sub/run.sh")]);
});

test("includes are followed from included files too, and a file reached twice is read once", () => {
  const d = tree({
    "main.conf": "[include]\nfiles=a/*.conf\n",
    "a/one.conf": program("one") + "[include]\nfiles=../b/two.conf ../main.conf\n",
    "b/two.conf": program("two"),
  });
  const config = loadConfig([join(d, "main.conf"), join(d, "b")], {}, opts);
  assert.equal(config.programs.map((p) => p.name), ["one", "two"]);
  assert.equal(config.files.length, 3);
});

test("a glob that matches nothing is a warning, like supervisord", () => {
  const d = tree({ "main.conf": program("web") + "[include]\nfiles=conf.d/*.conf\n" });
  assert.equal(loadConfig([join(d, "main.conf")], {}, opts).warnings, [`${join(d, "main.conf")}:4: [include] files: no file matches "${join(d, "conf.d/*.conf")}"`]);
});

test("a missing --config path and an empty directory are errors naming them; a missing literal include is a warning", () => {
  const d = tree({ "empty/.keep": "", "main.conf": program("web") + "[include]\nfiles=other.conf\n" });
  assert.is(message(() => names([join(d, "nope.conf")])), `${join(d, "nope.conf")}: expected a config file or directory, got ENOENT`);
  assert.is(message(() => names([join(d, "empty")])), `${join(d, "empty")}: expected *.conf files in this directory, got none`);
  // A literal include that is missing is, as in supervisord, a warning (glob.glob finds nothing).
  assert.equal(loadConfig([join(d, "main.conf")], {}).warnings, [`${join(d, "main.conf")}:4: [include] files: no file matches "${join(d, "other.conf")}"`]);
});

test("a bad glob is an error with file and line; a program defined in two files is merged with a warning", () => {
  const d = tree({
    "glob.conf": program("web") + "[include]\nfiles=conf.d/[ab.conf\n",
    "a.conf": program("web"),
    "b.conf": "\n" + program("web"),
  });
  assert.is(message(() => names([join(d, "glob.conf")])), `${join(d, "glob.conf")}:4: [include] files: expected a glob pattern with every [ closed by ], got "${join(d, "conf.d/[ab.conf")}"`);
  assert.equal(loadConfig([join(d, "a.conf"), join(d, "b.conf")], {}).warnings,
    [`${join(d, "b.conf")}:2: [program:web]: given again (first at ${join(d, "a.conf")}:1); its keys are merged, later ones win, as in supervisord`]);
});

test("a base image's config: [supervisord] and an [include] matching nothing yet loads with no programs", () => {
  const d = tree({ "x.conf": "[supervisord]\nnodaemon=true\n[include]\nfiles=conf.d/*.conf\n" });
  const config = loadConfig([d], {});
  assert.equal(config.programs, []);
  assert.equal(config.warnings, [`${join(d, "x.conf")}:4: [include] files: no file matches "${join(d, "conf.d/*.conf")}"`]);
});

test.run();
