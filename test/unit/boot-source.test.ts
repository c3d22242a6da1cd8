// How the bundle carries the application: one comment after the boot, read back whole, and
// the key a code cache must carry.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { APP_COMMENT_END, APP_END, appSource, appStart, cacheData, cacheKey } from "../../src/os/boot.ts";

const bundle = (boot: string, app: string, id = "1a2b") => `${boot}${appStart(id)}${app.replaceAll("*/", APP_COMMENT_END)}${APP_END}`;

test("the application comes back as it was, a comment's end inside it included, with the line it starts on", () => {
  const app = 'const re=/a*/g;let s="*/";\nmain()';
  assert.equal(appSource(bundle("#!/usr/bin/env node\nboot()", app), "1a2b"), { source: app, line: 3 });
});

test("the boot's own template of the marker (esbuild may print it with real newlines) is not taken for the start", () => {
  const boot = "const m=`\n/*CORRAL-APP ${id}\n`;boot()";
  assert.equal(appSource(bundle(boot, "main()"), "1a2b")?.source, "main()");
});

test("a copy of this build's marker inside the application is the application's own text", () => {
  const app = `const m="${appStart("1a2b").replaceAll("\n", "\\n")}";\nconst raw=\`${appStart("1a2b")}\`;main()`;
  assert.equal(appSource(bundle("boot()", app), "1a2b")?.source, app);
});

test("a text without this build's application has none: cut short, missing, or another build's", () => {
  assert.is(appSource("#!/usr/bin/env node\nboot()", "1a2b"), undefined);
  assert.is(appSource(`boot()${appStart("1a2b")}main()`, "1a2b"), undefined, "cut short: no end");
  assert.is(appSource(bundle("boot()", "main()", "ffff"), "1a2b"), undefined, "another build's application");
});

test("a code cache's key names the build, the runtime, V8 and the architecture", () => {
  const key = cacheKey("1a2b");
  assert.ok(key.startsWith("1a2b "));
  for (const part of [process.version, process.versions.v8, process.arch]) assert.ok(key.includes(part), `${part} in ${key}`);
  assert.is.not(cacheKey("1a2c"), key);
});

test("a code cache file gives V8's data only under this key: not another key, a key cut short, no newline, or a read error", () => {
  const key = cacheKey("1a2b");
  const file = (text: string) => new TextEncoder().encode(text);
  assert.equal(cacheData(file(`${key}\nDATA`), key), file("DATA"));
  assert.is(cacheData(file(`${cacheKey("1a2c")}\nDATA`), key), undefined, "another build");
  assert.is(cacheData(file(key.slice(0, -1)), key), undefined, "cut inside the key");
  assert.is(cacheData(file(`${key}DATA`), key), undefined, "no newline after the key");
  assert.is(cacheData(-2, key), undefined, "ENOENT");
});

test.run();
