// How the bundle carries the application: one comment after the boot, read back whole.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { APP_COMMENT_END, APP_END, APP_START, appSource } from "../../src/os/boot.ts";

const bundle = (boot: string, app: string) => `${boot}${APP_START}${app.replaceAll("*/", APP_COMMENT_END)}${APP_END}`;

test("the application comes back as it was, a comment's end inside it included", () => {
  const app = 'const re=/a*/g;let s="*/";\nmain()';
  assert.is(appSource(bundle("#!/usr/bin/env node\nboot()", app)), app);
});

test("the boot's own copy of the marker (esbuild may print it with real newlines) is not taken for the start", () => {
  const boot = `const m=\`${APP_START}\`;boot()`;
  assert.is(appSource(bundle(boot, "main()")), "main()");
});

test("a text without the appended application has none", () => {
  assert.is(appSource("#!/usr/bin/env node\nboot()"), undefined);
  assert.is(appSource(`boot()${APP_START}main()`), undefined, "cut short: no end");
});

test.run();
