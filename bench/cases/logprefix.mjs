// Prefixed logs (issue 4): throughput of a program's stdout through corral with
// log_prefix=true (corral reads and prefixes every line) against log_prefix=false (the
// program writes straight into corral's stdout pipe).
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, inScratch, runOk } from "../lib/proc.mjs";

const MIB = 100;
const MIB_BYTES = 1024 * 1024;
const BYTES = MIB * MIB_BYTES;
/** `yes` lines are 2 bytes ("y\n"): the most lines per byte, the worst case for a prefixer. */
const LINE_BYTES = 2;
const LINES = BYTES / LINE_BYTES;
/** Every line must arrive. */
const ALL_PERCENT = 100;
const RUNS = 3;
const RUN_TIMEOUT_MS = 120_000;
/** Issue 4: prefixed output at 80 % of the raw pipe's throughput or more. */
const TARGET_VS_RAW = 0.8;
const RAW = "corral, log_prefix=false";
const PREFIXED = "corral, log_prefix=true";
const DRAIN = join(ROOT, "bench/jobs/drain.pl");
const PROBE = "corral-bench-probe";

export const about =
  `logprefix: [program:out] \`sh -c "yes | head -c ${MIB}M"\` with critical=true (corral exits when it ends), ` +
  `stdout_logfile=/dev/stdout and log_prefix=false or true, run by corral --config as PID 1 with its stdout a pipe into ` +
  `bench/jobs/drain.pl, which times first byte to EOF (so start-up is not counted) and counts lines (all ${LINES} should ` +
  `arrive). Throughput is the program's bytes (${LINE_BYTES} per line that arrived, without the prefix) per second. Runs ` +
  `interleave, ${RUNS} each. A probe line first ` +
  "checks that log_prefix=true changes the output at all; when it does not (not implemented in this build), the " +
  "prefixed row shows — and has no target.";

/** The command line that runs `program` under `corral` with stdout piped into drain.pl. */
const piped = (corral, file) => ["sh", "-c", 'drain=$1; shift; "$@" | perl "$drain"', "sh", DRAIN, ...IN_NAMESPACE, ...corral.argv, "--config", file];

const program = (dir, command, logPrefix) =>
  writeConfig(dir, { out: { command, critical: "true", log_prefix: `${logPrefix}` } });

/** True when a line printed by a log_prefix=true program comes out changed. */
async function prefixes(corral, dir) {
  const { stdout } = await runOk([...IN_NAMESPACE, ...corral.argv, "--config", program(dir, `echo ${PROBE}`, true)]);
  return stdout !== `${PROBE}\n`;
}

/** One run: MiB/s of the program's lines that arrived, and the % of them that did. */
async function once(corral, dir, logPrefix) {
  const { stdout } = await runOk(piped(corral, program(dir, `sh -c "yes | head -c ${BYTES}"`, logPrefix)), { timeoutMs: RUN_TIMEOUT_MS });
  const m = /lines=(\d+) s=([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`log_prefix=${logPrefix}: drain said: ${stdout}`);
  const lines = Number(m[1]);
  return { mibPerS: (lines * LINE_BYTES) / MIB_BYTES / Number(m[2]), arrivedPercent: (100 * lines) / LINES };
}

/** Raw and prefixed throughput of the Node corral (the first that takes part). */
export default async function logprefix(inits, [corral]) {
  return inScratch("logprefix", async (dir) => {
    const prefixed = await prefixes(corral, dir);
    const runs = { [RAW]: [], [PREFIXED]: [] };
    for (let run = 0; run < RUNS; run++) {
      runs[RAW].push(await once(corral, dir, false));
      if (prefixed) runs[PREFIXED].push(await once(corral, dir, true));
    }
    const throughput = `program stdout throughput through corral (${MIB} MiB of \`yes\`)`;
    const arrived = `program stdout lines that reach corral's stdout (${MIB} MiB of \`yes\`)`;
    return [
      { measure: throughput, subject: RAW, unit: "MiB/s", samples: runs[RAW].map((r) => r.mibPerS) },
      {
        measure: throughput, subject: PREFIXED, unit: "MiB/s", samples: runs[PREFIXED].map((r) => r.mibPerS),
        ...(prefixed && { target: { min: TARGET_VS_RAW, against: RAW } }),
      },
      ...[RAW, PREFIXED].map((subject) => ({
        measure: arrived, subject, unit: "%", samples: runs[subject].map((r) => r.arrivedPercent),
        ...(subject === PREFIXED && prefixed && { target: { min: ALL_PERCENT } }),
      })),
    ];
  });
}
