// Program output through corral's native log pump (issues 4 and 15): throughput at corral's
// stdout for prefixed and JSON lines against the raw pipe (log_prefix=false: the program
// writes straight into corral's stdout), for 2-byte, 100-byte and 4 KiB lines; a rotating log
// file against `cat > file` and against supervisord's own rotating log; and corral's CPU
// seconds per GiB of output in each mode.
import { closeSync, openSync, readdirSync, readSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { writeConfig } from "../lib/config.mjs";
import { ROOT } from "../lib/env.mjs";
import { IN_NAMESPACE, cpuSeconds, during, inScratch, namespaceInit, now, waitFor } from "../lib/proc.mjs";

const MIB_BYTES = 1024 * 1024;
const GIB_BYTES = 1024 * MIB_BYTES;
/** Program output per run, by line size: enough for a second or more at the raw pipe's speed. */
const SIZES = [
  { line: 2, mib: 64 },
  { line: 100, mib: 512 },
  { line: 4096, mib: 1024 },
];
/** raw is the zero-copy reference (no in-memory tail: the program writes into the pipe itself); "raw, tail" the default, copied into its tail. */
const MODES = [
  { name: "raw", keys: { log_prefix: "false" }, server: { tail_maxbytes: "0" } },
  { name: "raw, tail", keys: { log_prefix: "false" } },
  { name: "prefixed", keys: { log_prefix: "true" } },
  { name: "json", keys: { log_format: "json" } },
];
const RUNS = 3;
/** drain.pl stops reading this long after the first byte, so a slow mode cannot stretch the bench. */
const CUT_AFTER_S = 15;
const REPORT_TIMEOUT_MS = 40_000;
/** Issue 15: prefixed and JSON output at 80 % of the raw pipe's bytes/s or more; a rotating file at 80 % of `cat > file`. */
const TARGET_VS_RAW = 0.8;
/** The rotating-file runs: 100-byte lines, supervisord's default limits. */
const FILE_MIB = 512;
const FILE_LINE = 100;
const FILE_KEYS = { stdout_logfile_maxbytes: "50MB", stdout_logfile_backups: "10" };
const END_MARK = "corral-bench-end";
const FILE_TIMEOUT_MS = 120_000;
/** How often corral's CPU time is sampled while it runs (the last sample before it exits counts). */
const CPU_POLL_MS = 5;
const DRAIN = join(ROOT, "bench/jobs/drain.pl");

const subject = (mode, line) => `corral, ${mode}, ${line}-byte lines`;
const fileSubject = { corral: "corral, rotating file (50MB x 10)", cat: "`cat > file`", supervisord: "supervisord, rotating file (50MB x 10)" };

export const about =
  "logprefix: [program:out] writes `yes` lines of 2, 100 or 4096 bytes (`yes STRING | head -c N`: 64 MiB, 512 MiB, " +
  "1 GiB) with critical=true (corral exits when it ends) and stdout_logfile=/dev/stdout, run by corral --config as PID 1 " +
  "with its stdout a pipe into bench/jobs/drain.pl (bash `exec unshare ... > >(perl drain.pl)`), which times first byte " +
  "to EOF and counts bytes and lines (every line should arrive; a cut run does not count for that row). raw = log_prefix=false with [supervisord] tail_maxbytes=0 (the program writes into that pipe itself, no copy); raw, tail = log_prefix=false with the default in-memory tail (the pump copies the output and keeps its last 64 KiB); " +
  "prefixed = log_prefix=true; json = log_format=json; both through corral.node's pump thread. Throughput is bytes that " +
  `reach corral's stdout per second (prefix or JSON included); lines/s are the program's lines. drain.pl stops ${CUT_AFTER_S} s ` +
  "after the first byte. corral's CPU seconds (all its threads, from /proc, sampled every 5 ms, less those of a run of " +
  "the same mode with one line, i.e. start-up and exit) are per GiB reaching its " +
  `stdout. Rotating file: ${FILE_MIB} MiB of ${FILE_LINE}-byte lines ending with a marker line, to stdout_logfile=FILE with ` +
  "maxbytes=50MB and backups=10 under corral and under supervisord (as PID 1, `supervisord -n`), against " +
  "`sh -c 'PRODUCER | cat > FILE'`; timed from start until the marker is in FILE (so start-up counts, ~0.1 s for corral), " +
  `throughput in program bytes per second; CPU per GiB there is the writer's (corral's or supervisord's, less a run with no output). Runs interleave, ${RUNS} each.`;

/** `yes` lines of exactly `line` bytes, `bytes` in all (head cuts the last one short when it must). */
const producer = (line, bytes) => (line === 2 ? `yes | head -c ${bytes}` : `yes "$(head -c ${line - 1} /dev/zero | tr '\\0' x)" | head -c ${bytes}`);

/** Samples the CPU seconds of the namespace's PID 1 until it is gone; resolves to the last sample. */
function sampleCpu(unsharePid) {
  let last = 0, stopped = false, pid;
  const timer = setInterval(() => {
    try {
      pid ??= namespaceInit(unsharePid);
      if (pid) last = cpuSeconds(pid);
    } catch { /* not yet there, or gone */ }
  }, CPU_POLL_MS);
  return { stop: () => { if (!stopped) clearInterval(timer); stopped = true; return last; } };
}

/** One stdout run: bytes/s at corral's stdout, program lines/s and corral CPU s/GiB. */
function once(corral, dir, mode, size, bytes = size.mib * MIB_BYTES) {
  const file = writeConfig(dir, { out: { command: `sh -c "${producer(size.line, bytes).replace(/"/g, '\\"')}"`, critical: "true", ...mode.keys } }, mode.server);
  const argv = ["bash", "-c", 'drain=$1; cut=$2; shift 2; exec "$@" > >(exec perl "$drain" "$cut")', "bash", DRAIN, `${CUT_AFTER_S}`,
    ...IN_NAMESPACE, ...corral.argv, "--config", file];
  return during(argv, async (run) => {
    const cpu = sampleCpu(run.child.pid);
    const said = () => /bytes=(\d+) lines=(\d+) cut=(\d) s=([\d.]+)\n/.exec(run.stdout());
    await waitFor(said, { what: `${mode.name} ${size.line}: drain.pl's count`, timeoutMs: REPORT_TIMEOUT_MS });
    await run.done;
    const cpuS = cpu.stop();
    const [, out, lines, cut, seconds] = said().map(Number);
    // head -c may end on a partial line, which prefix and JSON end with a newline: at most one line more.
    const expected = Math.floor(bytes / size.line);
    return { mibPerS: out / MIB_BYTES / seconds, linesPerS: lines / seconds, cpuS, outGiB: out / GIB_BYTES,
      arrivedPercent: cut ? undefined : (100 * Math.min(lines, expected)) / expected };
  }, { timeoutMs: REPORT_TIMEOUT_MS + 10_000 });
}

/** Whether FILE ends with the marker line. */
function ended(file) {
  let fd;
  try {
    fd = openSync(file, "r");
    const size = statSync(file).size;
    const tail = Buffer.alloc(64);
    const n = readSync(fd, tail, 0, tail.length, Math.max(0, size - tail.length));
    return tail.subarray(0, n).toString().includes(`${END_MARK}\n`);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** One rotating-file run of `who`: program MiB/s into the file, and its writer's CPU s/GiB (not for cat). */
async function fileOnce(who, corral, dir, mib = FILE_MIB) {
  const bytes = mib * MIB_BYTES;
  const log = join(dir, `${who}.log`);
  for (const f of readdirSync(dir)) if (f.startsWith(`${who}.log`)) rmSync(join(dir, f));
  const command = `sh -c "${producer(FILE_LINE, bytes).replace(/"/g, '\\"')}; echo ${END_MARK}"`;
  let argv;
  if (who === "cat") {
    argv = ["sh", "-c", `{ ${producer(FILE_LINE, bytes)}; echo ${END_MARK}; } | cat > ${log}`];
  } else {
    const config = writeConfig(dir, { out: { command, autorestart: "false", startsecs: "0", stdout_logfile: log, redirect_stderr: "false", ...FILE_KEYS } });
    argv = [...IN_NAMESPACE, ...(who === "corral" ? [...corral.argv, "--config", config] : ["supervisord", "-n", "-c", config])];
  }
  const t0 = now();
  return during(argv, async (run) => {
    const cpu = who === "cat" ? undefined : sampleCpu(run.child.pid);
    // corral and supervisord stay up after the program ends: CPU is sampled once the marker is in.
    await waitFor(() => ended(log), { what: `${who}: the end marker in ${log}`, timeoutMs: FILE_TIMEOUT_MS });
    const seconds = (now() - t0) / 1000;
    const cpuS = cpu?.stop();
    return { mibPerS: mib / seconds, cpuS };
  }, { timeoutMs: FILE_TIMEOUT_MS + 10_000 });
}

/** Prefixed/JSON throughput against raw, and the rotating file, for the Node corral (the first that takes part). */
export default async function logprefix(inits, [corral]) {
  return inScratch("logprefix", async (dir) => {
    const rows = [];
    // Start-up and exit CPU, taken off each run's figure: the same mode with one line of output.
    const startCpu = {};
    for (const mode of MODES) startCpu[mode.name] = (await once(corral, dir, mode, SIZES[1], SIZES[1].line)).cpuS;
    const perGiB = (r, mode) => Math.max(0, r.cpuS - startCpu[mode]) / r.outGiB;
    for (const size of SIZES) {
      const runs = Object.fromEntries(MODES.map((m) => [m.name, []]));
      for (let run = 0; run < RUNS; run++) for (const mode of MODES) runs[mode.name].push(await once(corral, dir, mode, size));
      const raw = subject("raw", size.line);
      for (const mode of MODES) {
        const name = subject(mode.name, size.line);
        rows.push({
          measure: `bytes reaching corral's stdout per second (${size.mib} MiB of ${size.line}-byte lines)`, subject: name, unit: "MiB/s",
          samples: runs[mode.name].map((r) => r.mibPerS), ...(!mode.name.startsWith("raw") && { target: { min: TARGET_VS_RAW, against: raw } }),
        });
        rows.push({ measure: `program lines per second at corral's stdout (${size.line}-byte lines)`, subject: name, unit: "lines/s",
          samples: runs[mode.name].map((r) => r.linesPerS) });
        rows.push({ measure: `program lines that reach corral's stdout (${size.line}-byte lines)`, subject: name, unit: "%",
          samples: runs[mode.name].flatMap((r) => r.arrivedPercent ?? []), ...(mode.name !== "raw" && { target: { min: 100 } }) });
        rows.push({ measure: "corral CPU seconds per GiB reaching its stdout", subject: name, unit: "s/GiB",
          samples: runs[mode.name].map((r) => perGiB(r, mode.name)) });
      }
    }
    const fileStart = { corral: (await fileOnce("corral", corral, dir, 0)).cpuS, supervisord: (await fileOnce("supervisord", corral, dir, 0)).cpuS };
    const files = { corral: [], cat: [], supervisord: [] };
    for (let run = 0; run < RUNS; run++) for (const who of Object.keys(files)) files[who].push(await fileOnce(who, corral, dir));
    for (const who of Object.keys(files)) {
      rows.push({
        measure: `program output into a log file per second (${FILE_MIB} MiB of ${FILE_LINE}-byte lines)`, subject: fileSubject[who], unit: "MiB/s",
        samples: files[who].map((r) => r.mibPerS),
        ...(who === "corral" && { target: { min: TARGET_VS_RAW, against: fileSubject.cat } }),
      });
      if (who !== "cat") rows.push({ measure: "CPU seconds per GiB written to the rotating log file", subject: fileSubject[who], unit: "s/GiB",
        samples: files[who].map((r) => Math.max(0, r.cpuS - fileStart[who]) / (FILE_MIB / 1024)) });
    }
    return rows;
  });
}
