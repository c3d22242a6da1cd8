// The inits under comparison, each as the argv that precedes `-- CMD...`; a case picks
// the ones it can measure. Adding a runtime or an init is one entry here.
import { join } from "node:path";
import { ROOT } from "./env.mjs";

/** The bundle under test, as `npm run build` leaves it. */
export const CORRAL = join(ROOT, "dist/corral.js");

/**
 * Inits that take `INIT -- CMD...`: `pid1` runs as PID 1 of a fresh namespace, `host` runs
 * in the host namespace (tini then needs -s to adopt orphans as a subreaper).
 */
export const INITS = [
  { name: "tini", pid1: ["tini", "--"], host: ["tini", "-s", "--"] },
  { name: "dumb-init", pid1: ["dumb-init", "--"], host: ["dumb-init", "--"] },
  { name: "corral", pid1: [process.execPath, CORRAL, "--"], host: [process.execPath, CORRAL, "--"] },
];

/** The reference every ratio is taken against. */
export const REFERENCE = "tini";
