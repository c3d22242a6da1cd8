// Footprint budget of what ships: the bundle, the addons, the runtime dependencies.
// (The image's own budget is checked in test/image/image.test.ts, which builds it.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const KB = 1024;
/**
 * The minified bundle, dist/corral.js. 100 KB held PID 1, container-run, supervision and the
 * subcommands; supervisord's XML-RPC API, groups and event listeners took it past that, to 172.5 KB;
 * the web page and /metrics (src/web, loaded by the first request for one) added 12.7 KB, and
 * --check's full listing 2.3 KB (189.8 KB), supervisord's runtime semantics (stdin pipes,
 * sendRemoteCommEvent, exit status and stop rules, settings-only change detection) 2.7 KB. Only the
 * mode in use is evaluated (modes are lazily initialised inside the one file; the start-up test
 * pins which Node modules load), so the rest costs only V8's pre-parse at start-up.
 */
const BUNDLE_BUDGET = 196 * KB;
/** The native addon beside it (it replaced unix-dgram's 31 KB addon when it took over datagrams). */
const ADDON_BUDGET = 64 * KB;
/** Everything is bundled or dev-only. */
const RUNTIME_DEPENDENCIES: string[] = [];

const dist = join(process.cwd(), "dist");
const size = (file: string) => statSync(join(dist, file)).size;

test("the bundle stays within its budget, minified", () => {
  const bytes = size("corral.js");
  console.log(`footprint: dist/corral.js ${(bytes / KB).toFixed(1)} KB (budget ${BUNDLE_BUDGET / KB} KB)`);
  assert.ok(bytes <= BUNDLE_BUDGET, `dist/corral.js is ${bytes} bytes`);
});

test("the native addon stays within 64 KB", () => {
  for (const addon of ["corral.node"]) {
    const bytes = size(addon);
    console.log(`footprint: dist/${addon} ${(bytes / KB).toFixed(1)} KB (budget ${ADDON_BUDGET / KB} KB)`);
    assert.ok(bytes <= ADDON_BUDGET, `dist/${addon} is ${bytes} bytes`);
  }
});

test("there is no runtime dependency", () => {
  const pkg = JSON.parse(readFileSync(join(process.cwd(), "package.json"), "utf8")) as { dependencies?: object };
  assert.equal(Object.keys(pkg.dependencies ?? {}).sort(), RUNTIME_DEPENDENCIES);
});

test.run();
