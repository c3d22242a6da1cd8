// Prefixed logs (issue 4): throughput of a program's stdout through corral with
// log_prefix=true (corral reads and prefixes every line) against log_prefix=false (the
// program writes straight into corral's stdout pipe).
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, during, inScratch, runOk, waitFor } from "../lib/proc.mjs";

const MIB = 100;
const MIB_BYTES = 1024 * 1024;
const BYTES = MIB * MIB_BYTES;
/** `yes` lines are 2 bytes ("y\n"): the most lines per byte, the worst case for a prefixer. */
const LINE_BYTES = 2;
const LINES = BYTES / LINE_BYTES;
/** Every line must arrive. */
const ALL_PERCENT = 100;
const RUNS = 3;
/** drain.pl stops reading this long after the first byte, so a slow prefixer cannot stretch the bench. */
const CUT_AFTER_S = 15;
const REPORT_TIMEOUT_MS = 30_000;
/** Issue 4: prefixed output at 80 % of the raw pipe's throughput or more. */
const TARGET_VS_RAW = 0.8;
const RAW = "corral, log_prefix=false";
const PREFIXED = "corral, log_prefix=true";
const DRAIN = join(ROOT, "bench/jobs/drain.pl");
const PROBE = "corral-bench-probe";

export const about =
  `logprefix: [program:out] \`sh -c "yes | head -c ${MIB}M"\` with critical=true (corral exits when it ends), ` +
  `stdout_logfile=/dev/stdout and log_prefix=false or true, run by corral --config as PID 1 with its stdout a pipe into ` +
  `bench/jobs/drain.pl (bash \`exec unshare ... > >(perl drain.pl)\`), which times first byte to EOF (so start-up is not ` +
  `counted) and counts lines: all ${LINES} should arrive. Throughput is the program's bytes (${LINE_BYTES} per line that ` +
  `arrived, without the prefix) per second. drain.pl stops ${CUT_AFTER_S} s after the first byte; such a cut run counts ` +
  `for throughput but not for the share of lines that arrived. Runs interleave, ${RUNS} each. A probe line first checks ` +
  "that log_prefix=true changes the output at all; when it does not (not implemented in this build), the prefixed row " +
  "shows — and has no target.";

const program = (dir, command, logPrefix) =>
  writeConfig(dir, { out: { command, critical: "true", log_prefix: `${logPrefix}` } });

/** True when a line printed by a log_prefix=true program comes out changed. */
async function prefixes(corral, dir) {
  const { stdout } = await runOk([...IN_NAMESPACE, ...corral.argv, "--config", program(dir, `echo ${PROBE}`, true)]);
  return stdout !== `${PROBE}\n`;
}

/**
 * One run: MiB/s of the program's lines that arrived, and the % of them that did (undefined
 * when drain.pl cut the run). bash execs unshare, so the run stays the bench's child to kill.
 */
function once(corral, dir, logPrefix) {
  const file = program(dir, `sh -c "yes | head -c ${BYTES}"`, logPrefix);
  const argv = ["bash", "-c", 'drain=$1; cut=$2; shift 2; exec "$@" > >(exec perl "$drain" "$cut")', "bash", DRAIN, `${CUT_AFTER_S}`,
    ...IN_NAMESPACE, ...corral.argv, "--config", file];
  return during(argv, async (run) => {
    const said = () => /lines=(\d+) cut=(\d) s=([\d.]+)\n/.exec(run.stdout());
    await waitFor(said, { what: `log_prefix=${logPrefix}: drain.pl's count`, timeoutMs: REPORT_TIMEOUT_MS });
    const [, lines, cut, seconds] = said().map(Number);
    return { mibPerS: (lines * LINE_BYTES) / MIB_BYTES / seconds, arrivedPercent: cut ? undefined : (100 * lines) / LINES };
  });
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
        measure: arrived, subject, unit: "%", samples: runs[subject].flatMap((r) => r.arrivedPercent ?? []),
        ...(subject === PREFIXED && prefixed && { target: { min: ALL_PERCENT } }),
      })),
    ];
  });
}
