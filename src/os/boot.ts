// The first code of dist/corral.js: it compiles the application, which the build appended to
// the same file as one comment, with V8's code cache when a valid one lies next to the bundle.
// A comment costs V8 almost nothing to skip (a string literal of the same size cost ~4 M
// instructions to scan), where 145 KB of source costs a full pre-parse on every start; the
// cache skips the compile of the code that runs as well. No cache, a cache from another build,
// another Node or another runtime: the same source is compiled as it would have been.
import { readFileSync, writeFileSync } from "node:fs";
import { Script } from "node:vm";

/** Node's own CommonJS wrapper (`require("node:module").wrap`, whose load costs ~5 M instructions). */
const CJS_WRAPPER = ["(function (exports, require, module, __filename, __dirname) { ", "\n});"] as const;

declare const CORRAL_BUILD_ID: string; // changes with every build; a cache from another is stale

/** Where the application starts: the comment build/build.mjs appends after this code, up to APP_END. */
export const APP_START = "\n/*CORRAL-APP\n";
/** Where the application ends: the end of the file. */
export const APP_END = "\n*/\n";
/**
 * What stands for `*` `/` inside the application (it would end the comment); the build checks
 * the application holds none. Printable: a NUL in the file makes Deno's CommonJS detection
 * (`--unstable-detect-cjs`, for a copy named container-run) take the file for an ES module.
 */
export const APP_COMMENT_END = "*~/";

/**
 * The application's source in the bundle's text `text`, or undefined when it has none.
 * @example appSource(`boot();${APP_START}main()${APP_END}`) // "main()"
 */
export function appSource(text: string): string | undefined {
  // The last: the boot's own copy of the marker comes before it (esbuild may print it with real
  // newlines), and the build checks that the application holds none.
  const start = text.lastIndexOf(APP_START);
  if (start < 0 || !text.endsWith(APP_END)) return undefined;
  return text.slice(start + APP_START.length, text.length - APP_END.length).replaceAll(APP_COMMENT_END, "*/");
}

/** The code cache next to the bundle, `corral.js.node.cache` or `corral.js.deno.cache`: CORRAL_BUILD_ID, a newline, V8's cached data. */
export const CODE_CACHE_SUFFIX = ".cache";
/** Set to a path by the build: the run writes its code cache there at exit. */
export const WRITE_CACHE_ENV = "CORRAL_WRITE_CODE_CACHE";
/** Set (to anything): one line on stderr says whether the code cache was used, rejected or absent. */
export const REPORT_CACHE_ENV = "CORRAL_CODE_CACHE_REPORT";

/**
 * Reads the code cache of this build from `file`, or undefined when there is none or it is
 * another build's (V8 itself checks the Node version and flags; only by length for the source).
 * @example const data = readCodeCache("/opt/corral/corral.js.cache", "1a2b"); // Buffer or undefined
 */
export function readCodeCache(file: string, buildId: string): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const header = `${buildId}\n`;
  return bytes.subarray(0, header.length).toString("latin1") === header ? bytes.subarray(header.length) : undefined;
}

/**
 * Compiles `source` as a CommonJS module body and runs it with this module's `require`,
 * using (and, when `writeTo` is set, writing at exit) the code cache.
 * @example boot("console.log(1)", { file: __filename, buildId: "x", cache: undefined });
 */
export function boot(source: string, at: { file: string; buildId: string; cache: Buffer | undefined; writeTo?: string; report?: string }): void {
  const script = new Script(`${CJS_WRAPPER[0]}${source}${CJS_WRAPPER[1]}`, { filename: at.file, cachedData: at.cache });
  if (at.report) {
    const verdict = at.cache === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "used";
    process.stderr.write(`corral: code cache ${at.report}: ${verdict}\n`);
  }
  if (at.writeTo) {
    // After the run: the cache then holds every function the run compiled, not only the top level.
    const writeTo = at.writeTo;
    const write = () => writeFileSync(writeTo, Buffer.concat([Buffer.from(`${at.buildId}\n`, "latin1"), script.createCachedData()]));
    // Node's process.exit fires "exit"; Deno.exit (what the Deno seam calls) fires "unload".
    if ("Deno" in globalThis) (globalThis as unknown as EventTarget).addEventListener("unload", write);
    else process.on("exit", write);
  }
  const run = script.runInThisContext() as (e: unknown, r: NodeRequire, m: NodeModule, f: string, d: string) => void;
  run(exports, require, module, at.file, __dirname);
}

const app = typeof CORRAL_BUILD_ID === "string" ? appSource(readFileSync(__filename, "latin1")) : undefined;
if (app !== undefined) {
  // Node and Deno run different V8s: one cache file each, made by `npm run build`.
  const cacheFile = `${__filename}.${"Deno" in globalThis ? "deno" : "node"}${CODE_CACHE_SUFFIX}`;
  const writeTo = process.env[WRITE_CACHE_ENV] || undefined;
  const report = process.env[REPORT_CACHE_ENV] ? cacheFile : undefined;
  boot(app, { file: __filename, buildId: CORRAL_BUILD_ID, cache: writeTo ? undefined : readCodeCache(cacheFile, CORRAL_BUILD_ID), writeTo, report });
}
