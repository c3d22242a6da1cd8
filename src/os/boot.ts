// The first code of dist/corral.js: it compiles the application, which the build appended to
// the same file as one comment, with V8's code cache when a valid one lies next to the bundle.
// A comment costs V8 almost nothing to skip (a string literal of the same size cost ~4 M
// instructions to scan), where 145 KB of source costs a full pre-parse on every start; the
// cache skips the compile of the code that runs as well. No cache, a cache from another build,
// another Node or another runtime: the same source is compiled as it would have been.
// Its first act is to load corral.node and catch signals (src/os/early-signals.ts); it reads
// through the addon, and hands both to the application (src/os/handover.ts).
import { writeFileSync } from "node:fs";
import { dlopenAddon, type Native } from "./native.ts";
import { HANDOVER_PARAMETER, type BootHandover } from "./handover.ts";
import { catchEarly, catchesAtStart, firedDuringNodeStart, invocationName } from "./early-signals.ts";
import { claimDenoSignals } from "./deno-signals.ts";

/**
 * Node's own CommonJS wrapper (`require("node:module").wrap`, whose load costs ~5 M
 * instructions), with a sixth parameter: the boot's hand-over.
 */
const CJS_WRAPPER = [`(function (exports, require, module, __filename, __dirname, ${HANDOVER_PARAMETER}) { `, "\n});"] as const;

declare const CORRAL_BUILD_ID: string; // changes with every build; a cache from another is stale
declare const CORRAL_SUBCOMMANDS: readonly string[]; // commands/names.ts, put here by the build

/**
 * What a code cache must have been made by: this build, on this runtime and V8 (V8 checks only
 * its own version, and Node builds with one V8 may differ), on this architecture.
 * @example cacheKey("1a2b") // "1a2b node v20.20.2 v8 11.3.244.8-node.33 x64"
 */
export function cacheKey(buildId: string): string {
  const deno = process.versions.deno ? ` deno ${process.versions.deno}` : "";
  return `${buildId} node ${process.version} v8 ${process.versions.v8} ${process.arch}${deno}`;
}

/**
 * Where build `buildId`'s application starts: the comment build/build.mjs appends after this
 * code, up to APP_END.
 * @example appStart("1a2b") // "\n/*CORRAL-APP 1a2b\n"
 */
export const appStart = (buildId: string) => `\n/*CORRAL-APP ${buildId}\n`;
/** Where the application ends: the end of the file. */
export const APP_END = "\n*/\n";
/**
 * What stands for `*` `/` inside the application (it would end the comment); the build checks
 * the application holds none. Printable: a NUL in the file makes Deno's CommonJS detection
 * (`--unstable-detect-cjs`, for a copy named container-run) take the file for an ES module.
 */
export const APP_COMMENT_END = "*~/";

/** The application in the bundle's text: its source and the line it starts on (0-based). */
export interface AppSource {
  source: string;
  line: number;
}

/**
 * The application of build `buildId` in the bundle's text `text`, or undefined when there is
 * none (a damaged file, or a boot and an application of two builds).
 * @example appSource(`boot();${appStart("1a")}main()${APP_END}`, "1a") // { source: "main()", line: 1 }
 */
export function appSource(text: string, buildId: string): AppSource | undefined {
  // The first: the build checks that neither the boot nor the application holds this build's
  // marker (the boot's own template of it lacks the id). Searching from the end would cross
  // the whole application (~1 M instructions).
  const marker = appStart(buildId);
  const start = text.indexOf(marker);
  if (start < 0 || !text.endsWith(APP_END)) return undefined;
  let line = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < start + marker.length; i = text.indexOf("\n", i + 1)) line++;
  const source = text.slice(start + marker.length, text.length - APP_END.length).replaceAll(APP_COMMENT_END, "*/");
  return { source, line };
}

/** The code cache next to the bundle, `corral.js.node.cache` or `corral.js.deno.cache`: its cacheKey(), a newline, V8's cached data. */
export const CODE_CACHE_SUFFIX = ".cache";
/** Set to a path by the build: the run writes its code cache there at exit. */
export const WRITE_CACHE_ENV = "CORRAL_WRITE_CODE_CACHE";
/** Set (to anything): one line on stderr says whether the code cache was used, rejected or absent. */
export const REPORT_CACHE_ENV = "CORRAL_CODE_CACHE_REPORT";

/**
 * V8's cached data in `bytes`, the contents of a code cache file (or the -errno of reading it),
 * or undefined when there is none or it is another build's or runtime's (V8 itself checks
 * its version and flags, and the source only by its length).
 * @example cacheData(new TextEncoder().encode(`${cacheKey("1a2b")}\nDATA`), cacheKey("1a2b")) // the bytes of "DATA"
 */
export function cacheData(bytes: Uint8Array | number, key: string): Uint8Array | undefined {
  if (typeof bytes === "number" || bytes.length <= key.length || bytes[key.length] !== 0x0a) return undefined;
  // By hand: Buffer's toString is another first call (~0.1 ms) at start-up.
  for (let i = 0; i < key.length; i++) if (bytes[i] !== key.charCodeAt(i)) return undefined;
  return bytes.subarray(key.length + 1);
}

/**
 * Compiles `source` as a CommonJS module body and runs it with this module's `require`,
 * using (and, when `writeTo` is set, writing at exit) the code cache.
 * @example boot({ source: "console.log(1)", line: 0 }, { file: __filename, key: cacheKey("x"), cache: undefined, handover: { addon: dlopenAddon(__dirname), signals: undefined } });
 */
export function boot(app: AppSource, at: { file: string; key: string; cache: Uint8Array | undefined; handover: BootHandover; writeTo?: string; report?: string }): void {
  // lineOffset: stack traces name the lines of dist/corral.js itself.
  // Required here, not at the top: the signal handlers come first.
  const { Script } = require("node:vm") as typeof import("node:vm");
  const script = new Script(`${CJS_WRAPPER[0]}${app.source}${CJS_WRAPPER[1]}`, { filename: at.file, lineOffset: app.line, cachedData: at.cache });
  if (at.report) {
    const verdict = at.cache === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "used";
    process.stderr.write(`corral: code cache ${at.report}: ${verdict}\n`);
  }
  if (at.writeTo) {
    // After the run: the cache then holds every function the run compiled, not only the top level.
    const writeTo = at.writeTo;
    const write = () => writeFileSync(writeTo, Buffer.concat([Buffer.from(`${at.key}\n`, "latin1"), script.createCachedData()]));
    // Node's process.exit fires "exit"; Deno.exit (what the Deno seam calls) fires "unload".
    if ("Deno" in globalThis) (globalThis as unknown as EventTarget).addEventListener("unload", write);
    else process.on("exit", write);
  }
  const run = script.runInThisContext() as (e: unknown, r: NodeRequire, m: NodeModule, f: string, d: string, h: BootHandover) => void;
  run(exports, require, module, at.file, __dirname, at.handover);
}

/** Says why corral cannot start and exits 1: a damaged install must not pass for a job that ran and exited 0. */
function damaged(why: string): never {
  process.stderr.write(`corral: ${why}; install it again\n`);
  process.exit(1);
}

if (typeof CORRAL_BUILD_ID === "string") {
  let addon: Native;
  try {
    addon = dlopenAddon(__dirname);
  } catch (err) {
    damaged(`cannot load ${__dirname}/corral.node, which ${__filename} needs: ${(err as Error).message.split("\n")[0]}`);
  }
  // A PID 1 without handlers drops signals: caught before anything else, unless a subcommand runs.
  const signals = catchesAtStart(invocationName(process.argv[1]), process.argv.slice(2), CORRAL_SUBCOMMANDS) ?
    ("Deno" in globalThis ? catchEarly(addon, claimDenoSignals) : catchEarly(addon, undefined, firedDuringNodeStart(addon))) : undefined;
  const text = addon.readFile(__filename, true);
  if (typeof text === "number") damaged(`cannot read ${__filename} (errno ${-text})`);
  const app = appSource(text, CORRAL_BUILD_ID);
  if (app === undefined) damaged(`${__filename} is damaged: the application after its boot is missing or from another build`);
  // Node and Deno run different V8s: one cache file each, made by `npm run build`.
  const cacheFile = `${__filename}.${"Deno" in globalThis ? "deno" : "node"}${CODE_CACHE_SUFFIX}`;
  const key = cacheKey(CORRAL_BUILD_ID);
  const writeTo = process.env[WRITE_CACHE_ENV] || undefined;
  const report = process.env[REPORT_CACHE_ENV] ? cacheFile : undefined;
  boot(app, { file: __filename, key, cache: writeTo ? undefined : cacheData(addon.readFile(cacheFile, false), key), handover: { addon, signals }, writeTo, report });
}
