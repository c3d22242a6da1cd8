// The floor under `corral -- /bin/true`: what a bare Node script pays to do only what an init
// must (load corral.node, install its signal relay, spawn the job, reap it, exit), and the same
// script carrying corral's 150 KB application as a trailing comment (the one-file bundle's
// cost to Node's loader), next to `node -e 0` and corral itself. Interleaved runs, medians.
// Usage: node bench/profile/floor.mjs [--runs N] [--host]
//   default: 60 runs of each as PID 1 of a new namespace.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BENCH_ENV, ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE } from "../lib/proc.mjs";
import { CORRAL } from "../lib/subjects.mjs";
import { fmt, median } from "../lib/stats.mjs";

const DEFAULT_RUNS = 60;
const EXIT_USAGE = 2;
const args = process.argv.slice(2);
const runs = Number(args.includes("--runs") ? args[args.indexOf("--runs") + 1] : DEFAULT_RUNS);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`floor: --runs expects a positive integer, got ${args[args.indexOf("--runs") + 1]}`);
  process.exit(EXIT_USAGE);
}
const prefix = args.includes("--host") ? [] : IN_NAMESPACE;

// The least an init on Node does, through corral.node's own calls (src/os/native.ts).
const BARE = `"use strict";
const m = { exports: {} };
process.dlopen(m, __dirname + "/corral.node");
const native = m.exports;
const env = Object.entries(process.env).map(([k, v]) => k + "=" + v);
native.relaySignals([1, 2, 3, 10, 12, 14, 15, 17, 18, 20, 21, 22, 28], (signo) => {
  if (signo === 17 && native.reap().length > 1) process.reallyExit(0);
});
setTimeout(() => {}, 1e9);
const argv = process.argv.slice(3);
native.spawn(argv[0], argv, env, {});
`;

const dir = mkdtempSync(join(tmpdir(), "corral-floor-"));
try {
  copyFileSync(join(ROOT, "dist/corral.node"), join(dir, "corral.node"));
  writeFileSync(join(dir, "package.json"), '{"type":"commonjs"}\n');
  writeFileSync(join(dir, "bare.js"), BARE);
  const bundle = readFileSync(CORRAL, "latin1");
  const app = /\n\/\*CORRAL-APP [0-9a-f]{16}\n/.exec(bundle);
  if (!app) throw new Error(`${CORRAL}: no application comment; run npm run build`);
  writeFileSync(join(dir, "bare-with-app.js"), BARE + bundle.slice(app.index), "latin1");

  const subjects = [
    ["node -e 0", [process.execPath, "-e", "0"]],
    ["bare init script", [process.execPath, join(dir, "bare.js"), "--", "/bin/true"]],
    ["bare init script + corral's application as a comment", [process.execPath, join(dir, "bare-with-app.js"), "--", "/bin/true"]],
    ["corral -- /bin/true", [process.execPath, CORRAL, "--", "/bin/true"]],
  ];
  const ms = subjects.map(() => []);
  for (let i = 0; i < runs; i++) {
    subjects.forEach(([name, argv], j) => {
      const t = process.hrtime.bigint();
      const r = spawnSync(prefix[0] ?? argv[0], [...prefix.slice(1), ...(prefix.length ? argv : argv.slice(1))], { env: BENCH_ENV, stdio: "ignore" });
      if (r.status !== 0) throw new Error(`${name}: exit ${r.status ?? r.signal}`);
      ms[j].push(Number(process.hrtime.bigint() - t) / 1e6);
    });
  }
  const base = median(ms[0]);
  console.log(`median of ${runs} interleaved runs ${prefix.length ? "as PID 1" : "in the host namespace"}`);
  console.log("| subject | wall (ms) | × `node -e 0` |\n| --- | ---: | ---: |");
  subjects.forEach(([name], j) => console.log(`| ${name} | ${fmt(median(ms[j]))} | ${(median(ms[j]) / base).toFixed(3)} |`));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
