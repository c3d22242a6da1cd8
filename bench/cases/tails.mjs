// What the in-memory tails cost (docs/logs.md): corral keeps the last tail_maxbytes (64 KiB by
// default) of each program's stdout and stderr while its control API serves. 8 programs each
// write more than that on both channels; PID 1's RssAnon with the default tails is compared with
// the same config under tail_maxbytes=0.
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { IN_NAMESPACE, during, inScratch, namespaceInit, waitFor } from "../lib/proc.mjs";

const RUNS = 5;
const PROGRAMS = 8;
/** Each program writes `seq 1 40000` (228,894 bytes) on stdout and again on stderr. */
const BYTES_PER_CHANNEL = 228_894;
/** corral's default tail (src/logs/tails.ts DEFAULT_TAIL_BYTES). */
const TAIL_KIB = 64;
/** The tails' own bytes (16 channels and corral's own messages) plus 1 MiB for the pump's buffers and pipes. */
const BUDGET_MIB = ((2 * PROGRAMS + 1) * TAIL_KIB) / 1024 + 1;
const SETTLE_MS = 1500;
const TIMEOUT_MS = 20_000;

export const about =
  `tails: corral --config as PID 1 with ${PROGRAMS} programs, each writing ${BYTES_PER_CHANNEL} bytes on stdout and on stderr ` +
  `(to PID 1's stdout, stdout_logfile=/dev/stdout), then sleeping; ${SETTLE_MS} ms after all of it reached PID 1's stdout the bench reads ` +
  `its RssAnon, with the default tails (${TAIL_KIB} KiB per program and channel) and with [supervisord] tail_maxbytes=0, ${RUNS} runs each.`;

function writeConf(dir, tailLine) {
  const file = join(dir, `tails-${tailLine ? "off" : "on"}.conf`);
  const programs = Array.from({ length: PROGRAMS }, (_, i) =>
    `[program:p${i}]\ncommand=sh -c "seq 1 40000; seq 1 40000 >&2; exec sleep ${1001 + i}"\nstdout_logfile=/dev/stdout\n` +
    "stdout_logfile_maxbytes=0\nstderr_logfile=/dev/stderr\nstderr_logfile_maxbytes=0\nstartsecs=0\n");
  writeFileSync(file, [`[supervisord]\nnodaemon=true\n${tailLine}`, ...programs].join("\n"));
  return file;
}

/** RssAnon of PID 1 (MiB) once every program's output has reached it. */
function once(argv, logPath, log) {
  return during([...IN_NAMESPACE, ...argv], async (run) => {
    const before = statSync(logPath).size;
    await waitFor(() => statSync(logPath).size - before >= 2 * PROGRAMS * BYTES_PER_CHANNEL, { what: "all output", timeoutMs: TIMEOUT_MS });
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const init = namespaceInit(run.child.pid);
    const status = readFileSync(`/proc/${init}/status`, "utf8");
    return Number(/^RssAnon:\s+(\d+)/m.exec(status)[1]) / 1024;
  }, { stdio: log });
}

/** RssAnon rows: tails on (the default) and off. */
export default async function tails(inits, corrals) {
  const corral = corrals.find((c) => c.name === "corral");
  if (!corral) return [];
  return inScratch("tails", async (dir, log) => {
    const logPath = join(dir, "pid1.log");
    const subjects = [
      { name: `corral, tails of ${TAIL_KIB} KiB`, file: writeConf(dir, "") },
      { name: "corral, tail_maxbytes=0", file: writeConf(dir, "tail_maxbytes=0\n") },
    ];
    for (const s of subjects) s.samples = [];
    for (let run = 0; run < RUNS; run++) {
      for (const s of subjects) s.samples.push(await once([...corral.argv, "--config", s.file], logPath, log));
    }
    const measure = `PID 1 RssAnon, ${PROGRAMS} programs wrote ${BYTES_PER_CHANNEL} bytes on stdout and stderr`;
    return subjects.map((s, i) => ({
      measure, subject: s.name, unit: "MiB", samples: s.samples,
      ...(i === 0 ? { target: { maxAbove: Number(BUDGET_MIB.toFixed(2)), against: subjects[1].name } } : {}),
    }));
  });
}
