// The inits under comparison, each as the argv that precedes `-- CMD...`, and the
// supervisors, each running one config file; a case picks the ones it can measure.
// Adding a runtime or an init is one entry here.
import { join } from "node:path";
import { DENO, ROOT } from "./env.mjs";

/** The bundle under test, as `npm run build` leaves it. */
export const CORRAL = join(ROOT, "dist/corral.js");

/**
 * What corral needs from Deno as PID 1 (the Deno engineer's set in test/helpers.ts): the
 * addon (ffi), its files (read, write), the environment, process.umask (sys) and network
 * probes (net; the control socket is the addon's). No --allow-run.
 */
const DENO_PERMISSIONS = ["--no-prompt", "--allow-ffi", "--allow-read", "--allow-write", "--allow-env", "--allow-net", "--allow-sys"];

/** Outside a PID namespace corral reads /proc, which Deno allows only with --allow-all. */
const DENO_HOST_PERMISSIONS = ["--no-prompt", "--allow-all"];

/**
 * corral on each runtime: `argv` starts the bundle as PID 1, before corral's own arguments;
 * `hostArgv` in the host namespace; `floor` is the runtime doing nothing, [name, argv].
 * `cases`, when given, names the only cases the subject takes part in (the others would
 * add minutes to the run).
 */
export const CORRALS = [
  {
    name: "corral",
    argv: [process.execPath, CORRAL],
    hostArgv: [process.execPath, CORRAL],
    floor: ["node -e 0", [process.execPath, "-e", "0"]],
  },
  {
    name: "corral on Deno",
    argv: [DENO, "run", ...DENO_PERMISSIONS, CORRAL],
    hostArgv: [DENO, "run", ...DENO_HOST_PERMISSIONS, CORRAL],
    floor: ["deno run nothing.js", [DENO, "run", "--no-prompt", join(ROOT, "bench/jobs/nothing.js")]],
    cases: ["startup", "reap", "rss", "signal", "control"],
  },
];

/**
 * Inits that take `INIT -- CMD...`: `pid1` runs as PID 1 of a fresh namespace, `host` runs
 * in the host namespace (tini then needs -s to adopt orphans as a subreaper).
 */
export const INITS = [
  { name: "tini", pid1: ["tini", "--"], host: ["tini", "-s", "--"] },
  { name: "dumb-init", pid1: ["dumb-init", "--"], host: ["dumb-init", "--"] },
  ...CORRALS.map(({ name, argv, hostArgv, cases }) => ({ name, pid1: [...argv, "--"], host: [...hostArgv, "--"], cases })),
];

/**
 * The subjects that take part in case `name`.
 * @example takingPart(INITS, "window") // tini, dumb-init, corral
 */
export const takingPart = (subjects, name) => subjects.filter((s) => !s.cases || s.cases.includes(name));

/** The reference every ratio is taken against. */
export const REFERENCE = "tini";

/**
 * Supervisors that run one supervisord-style config as PID 1: each corral that takes part
 * (`corral --config FILE`) and Debian's supervisord in the foreground.
 * @example supervisors(CORRALS).map((s) => s.argv("/tmp/x/supervisord.conf"))
 */
export const supervisors = (corrals) => [
  ...corrals.map(({ name, argv }) => ({ name, argv: (file) => [...argv, "--config", file] })),
  { name: "supervisord", argv: (file) => ["supervisord", "-n", "-c", file] },
];
