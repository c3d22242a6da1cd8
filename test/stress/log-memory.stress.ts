// The log pump's memory under output no reader takes (docs/logs.md "Memory bounds"): corral's
// stdout not read, a line that never ends with stdout_events_enabled=true, and the same fast
// output with an event listener subscribed to PROCESS_LOG that never reads. RssAnon is read
// per byte written (the first) or sampled over time (the second), on the runtime in use.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, descendantsOf, runtimeCommand, sleep, until } from "../helpers.ts";
import { figure, mib, signed, sized, type Figure, type StressCase } from "./lib/figures.ts";
import { rssAnonKb } from "./lib/proc.ts";

/** The never-ending line: this many bytes (1 GiB full, 256 MiB short). */
const LINE_BYTES = { full: 1024 * 1024 * 1024, short: 256 * 1024 * 1024 };
/** What it may add to RssAnon (the pump's fixed buffers and heap slack). */
const LINE_LIMIT_KB = 24 * 1024;
/** The deaf listener: how long, and how often RssAnon is sampled. */
const DEAF_MS = { full: 30_000, short: 10_000 };
const SAMPLE_MS = 500;
/** The deaf listener's bound: V8's heap sizing under garbage at the pipe's rate, with room. */
const DEAF_LIMIT_KB = 192 * 1024;

/** corral (not PID 1) with `conf`, its stdout into `sleep` (never read); its pid and an end. */
async function unread(conf: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const sh = spawn("sh", ["-c", `exec ${runtimeCommand()} --config ${conf} 2>/dev/null | sleep 100000`],
    { stdio: "ignore", env: { ...process.env, CORRAL_CONTROL_SOCKET: "", NODE_EXTRA_CA_CERTS: "" } });
  const done = new Promise<void>((resolve) => sh.on("close", () => resolve()));
  let pid = 0;
  await until("corral", () => (pid = descendantsOf(sh.pid!).find((p) => {
    try { return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(conf); } catch { return false; }
  }) ?? 0) > 0);
  return {
    pid,
    stop: async () => {
      try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
      await until("corral gone", () => !alive(pid), 30_000);
      for (const p of descendantsOf(sh.pid!)) try { process.kill(p, "SIGKILL"); } catch { /* gone */ }
      await done;
    },
  };
}

/** Memory of the log pump with nobody reading: a never-ending line with events, and a deaf listener. */
export const logMemory: StressCase = {
  name: "log pump memory",
  async run(scale) {
    const dir = mkdtempSync(join(tmpdir(), "corral-logmem-"));
    try {
      return [...await neverEnding(dir, sized(scale, LINE_BYTES)), ...await deafListener(dir, sized(scale, DEAF_MS))];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function neverEnding(dir: string, bytes: number): Promise<Figure[]> {
  const go = join(dir, "go"), done = join(dir, "done"), waiting = join(dir, "waiting"), conf = join(dir, "line.conf");
  // `waiting` once corral has spawned the program (so it is up and settled), `done` once it wrote the line.
  writeFileSync(conf, `[program:out]\ncommand=sh -c "touch ${waiting}; while [ ! -e ${go} ]; do sleep 0.05; done; head -c ${bytes} /dev/zero | tr '\\\\0' x; touch ${done}; exec sleep 1000"\n` +
    "stdout_events_enabled=true\nstartsecs=0\n");
  const c = await unread(conf);
  try {
    await until("the program waiting", () => existsSync(waiting), 30_000);
    const before = rssAnonKb(c.pid);
    writeFileSync(go, "");
    await until("the line written", () => existsSync(done), 600_000, 100);
    const grown = rssAnonKb(c.pid) - before;
    return [figure("log pump memory", `a ${mib(bytes / 1024)} line that never ends, events on, stdout unread: RssAnon ${mib(before)} ${signed(grown)}`,
      `< +${mib(LINE_LIMIT_KB)}`, grown < LINE_LIMIT_KB)];
  } finally {
    await c.stop();
  }
}

async function deafListener(dir: string, ms: number): Promise<Figure[]> {
  const conf = join(dir, "deaf.conf");
  writeFileSync(conf, `[program:out]\ncommand=sh -c "yes 'a chatty program writes this line again and again'"\nstdout_events_enabled=true\nstartsecs=0\n` +
    "[eventlistener:deaf]\ncommand=sleep 100000\nevents=PROCESS_LOG\n");
  const c = await unread(conf);
  const samples: number[] = [];
  try {
    for (const t0 = Date.now(); Date.now() - t0 < ms;) {
      samples.push(rssAnonKb(c.pid));
      await sleep(SAMPLE_MS);
    }
  } finally {
    await c.stop();
  }
  // Every read becomes event strings at the pipe's rate (GiBs in a run), freed by V8's GC: a
  // leak of them would pass any fixed bound; the heap's own sizing stays far below it.
  const third = Math.floor(samples.length / 3);
  const peak = Math.max(...samples), lastLow = Math.min(...samples.slice(-third)), lastPeak = Math.max(...samples.slice(-third));
  return [figure("log pump memory", `fast output, a PROCESS_LOG listener that never reads, ${ms / 1000} s: RssAnon peak ${mib(peak)}, ` +
    `${mib(lastLow)}–${mib(lastPeak)} in the last third`, `peak < ${mib(DEAF_LIMIT_KB)}`, peak < DEAF_LIMIT_KB)];
}
