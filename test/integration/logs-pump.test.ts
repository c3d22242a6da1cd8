// The native log pump with the built bundle as PID 1: rotating log files with supervisord's
// names and limits (whole lines only, none lost), SIGUSR2 reopening a moved file, and JSON
// lines that always parse, whatever bytes the program wrote.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alive, corralPid, descendantsOf, run, runtimeCommand, sleep, start, until } from "../helpers.ts";
import { cpuTicks, rssAnonKb } from "../stress/lib/proc.ts";
import { checkRotated, variedLines } from "../stress/lib/rotation.ts";
import { spawn } from "node:child_process";

const dir = mkdtempSync(join(tmpdir(), "corral-pump-"));
let configs = 0;

/** Writes a config of `sections` and returns its path. */
function config(...sections: string[]): string {
  const path = join(dir, `${++configs}.conf`);
  writeFileSync(path, sections.join("\n"));
  return path;
}

/** A program section that ends corral when it exits. */
function program(name: string, command: string, extra: string): string {
  return `[program:${name}]\ncommand=${command}\nstartsecs=0\nautorestart=false\ncritical=true\n${extra}\n`;
}

/** A fresh log file path in its own directory. */
function logFile(): string {
  const sub = mkdtempSync(join(dir, "log-"));
  return join(sub, "out.log");
}

/** The rotated names beside `file`, as numbers, sorted. */
function backups(file: string): number[] {
  const base = file.split("/").pop()!;
  const dirOf = file.slice(0, file.length - base.length - 1);
  return readdirSync(dirOf).filter((f) => f.startsWith(`${base}.`)).map((f) => Number(f.slice(base.length + 1))).sort((a, b) => a - b);
}

/** The whole history of a rotated log, oldest first: FILE.N … FILE.1, FILE. */
function history(file: string): string {
  return [...backups(file).reverse().map((n) => `${file}.${n}`), file].map((f) => readFileSync(f, "utf8")).join("");
}

/** awk printing lines "i" padded with x to `bytes` (newline included), for i in [0, count). */
const fixedLines = (bytes: number, count: number) =>
  `awk 'BEGIN { for (i = 0; i < ${count}; i++) { s = i ""; while (length(s) < ${bytes - 1}) s = s "x"; print s } }'`;

test("a file rotates before the line that would pass maxbytes: FILE.1..FILE.N, newest .1, oldest gone", async () => {
  const file = logFile();
  // 32-byte lines, 1 KB files: 32 lines each; 200 lines need 7 files, 3 backups keep 4.
  const r = await run(["--config", config(program("w", fixedLines(32, 200),
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=1KB\nstdout_logfile_backups=3`))]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(backups(file), [1, 2, 3]);
  for (const n of [1, 2, 3]) assert.is(statSync(`${file}.${n}`).size, 1024, `${file}.${n}`);
  // 200 = 6 * 32 + 8: the current file holds the last 8 lines; .1 the 32 before them.
  const lines = (f: string) => readFileSync(f, "utf8").split("\n").filter(Boolean).map((l) => Number(/^\d+/.exec(l)![0]));
  assert.equal(lines(file), [192, 193, 194, 195, 196, 197, 198, 199]);
  assert.equal(lines(`${file}.1`), Array.from({ length: 32 }, (_, i) => 160 + i));
  assert.equal(lines(`${file}.3`)[0], 96);
});

test("maxbytes with 0 backups truncates the file in place, as supervisord does", async () => {
  const file = logFile();
  const r = await run(["--config", config(program("w", fixedLines(32, 100),
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=1KB\nstdout_logfile_backups=0`))]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(backups(file), []);
  // 100 = 3 * 32 + 4
  assert.is(readFileSync(file, "utf8").split("\n").filter(Boolean).length, 4);
});

test("100 rotations under a fast writer lose no line and tear none", async () => {
  const file = logFile();
  // Lines of varied length (seq numbers), about 1.1 MB in all: ~110 files of 10 KB.
  const count = 180_000;
  const r = await run(["--config", config(program("w", `seq 1 ${count}`,
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=10KB\nstdout_logfile_backups=200`))]);
  assert.is(r.code, 0, r.stderr);
  const kept = backups(file);
  assert.ok(kept.length >= 100, `${kept.length} rotations`);
  assert.equal(kept, Array.from({ length: kept.length }, (_, i) => i + 1));
  for (const n of kept) {
    const text = readFileSync(`${file}.${n}`, "utf8");
    assert.ok(text.endsWith("\n") && Buffer.byteLength(text) <= 10 * 1024, `${file}.${n}: ${Buffer.byteLength(text)} bytes`);
  }
  const all = history(file).split("\n");
  assert.is(all.pop(), "");
  assert.is(all.length, count);
  all.forEach((line, i) => { if (line !== `${i + 1}`) assert.unreachable(`line ${i}: "${line}"`); });
});

test("maxbytes=1MB, 3 backups, 200,000 lines cut anywhere by the writer's blocks: no file over 1 MB, no line torn", async () => {
  const file = logFile();
  const r = await run(["--config", config(program("w", variedLines(200_000),
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=1MB\nstdout_logfile_backups=3`))]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(backups(file), [1, 2, 3]);
  assert.is(checkRotated(file, 1024 * 1024, 200_000), undefined);
});

test("a line longer than maxbytes is the one that passes it: alone in its file", async () => {
  const file = logFile();
  const long = "L".repeat(3000);
  const r = await run(["--config", config(program("w", `sh -c 'seq 1 50; echo ${long}; seq 51 100'`,
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=1KB\nstdout_logfile_backups=20`))]);
  assert.is(r.code, 0, r.stderr);
  const files = [...backups(file).reverse().map((n) => `${file}.${n}`), file];
  const texts = files.map((f) => readFileSync(f, "latin1"));
  assert.ok(texts.includes(`${long}\n`), texts.map((t) => t.length).join(" "));
  for (const t of texts) if (t !== `${long}\n`) assert.ok(t.length <= 1024 && t.endsWith("\n"), `${t.length} bytes`);
  const all = texts.join("").split("\n").filter((l) => l !== long);
  assert.equal(all, [...Array.from({ length: 100 }, (_, i) => `${i + 1}`), ""]);
});

test("SIGUSR2 reopens a log file that was moved away; no line is lost", async () => {
  const file = logFile();
  const c = start(["--config", config(program("w", `sh -c 'i=0; while [ $i -lt 60 ]; do echo $i; i=$((i+1)); sleep 0.02; done'`,
    `stdout_logfile=${file}\nstdout_logfile_maxbytes=1MB`))]);
  const pid = await corralPid(c);
  for (let i = 0; i < 200 && !(existsSync(file) && statSync(file).size > 10); i++) await sleep(10);
  renameSync(file, `${file}.moved`);
  process.kill(pid, "SIGUSR2");
  const r = await c.done;
  assert.is(r.code, 0, r.stderr);
  const before = readFileSync(`${file}.moved`, "utf8"), after = readFileSync(file, "utf8");
  assert.ok(before.length > 0 && after.length > 0, `moved: ${JSON.stringify(before)}; new: ${JSON.stringify(after)}`);
  assert.is(before + after, Array.from({ length: 60 }, (_, i) => `${i}\n`).join(""));
});

/** Parses every stdout line as JSON (failing on the first that does not). */
function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.split("\n").filter(Boolean).map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      return assert.unreachable(`not JSON: ${line.slice(0, 200)}`) as never;
    }
  });
}

test("log_format=json: one object per line with time, program, stream, pid and line", async () => {
  const r = await run(["--config", config(program("web", `sh -c 'echo hello; echo oops >&2; printf "tab\\t\\"q\\" back\\\\\\\\ \\001 end"'`,
    "log_format=json"))]);
  assert.is(r.code, 0, r.stderr);
  const out = jsonLines(r.stdout), err = jsonLines(r.stderr.split("\n").filter((l) => l.startsWith("{")).join("\n"));
  assert.equal(out.map((o) => o["line"]), ["hello", 'tab\t"q" back\\ \u0001 end']);
  assert.equal(err.map((o) => [o["stream"], o["line"]]), [["stderr", "oops"]]);
  const first = out[0]!;
  assert.equal(Object.keys(first), ["time", "program", "stream", "pid", "line"]);
  assert.match(first["time"] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Math.abs(Date.parse(first["time"] as string) - Date.now()) < 60_000);
  assert.is(first["program"], "web");
  assert.is(first["stream"], "stdout");
  assert.ok(Number.isInteger(first["pid"]) && (first["pid"] as number) > 1);
});

test("--log-format json: binary and invalid UTF-8 output still gives lines that all parse", async () => {
  // 256 KiB of random bytes, then invalid sequences and valid multi-byte characters.
  const r = await run(["--log-format", "json", "--config", config(program("bin",
    `sh -c 'head -c 262144 /dev/urandom; printf "\\n\\377\\300\\200 \\355\\240\\200 é 😀 \\342\\202\\n"'`, ""))]);
  assert.is(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  assert.ok(lines.length > 100);
  for (const o of lines) assert.ok(typeof o["line"] === "string" && Buffer.byteLength(o["line"] as string) <= 3 * 16 * 1024);
  // Each byte that is not part of valid UTF-8 is one U+FFFD; valid characters pass unchanged.
  assert.is(lines[lines.length - 1]!["line"], "\uFFFD\uFFFD\uFFFD \uFFFD\uFFFD\uFFFD é 😀 \uFFFD\uFFFD");
});

test("JSON: a character to escape or a non-ASCII byte is caught at every offset of the word-at-a-time scan", async () => {
  // The escaper checks 8 bytes at a time: put each kind of byte at offsets 0..17 of a line.
  const kinds: Array<[Buffer, string]> = [[Buffer.from('"'), '"'], [Buffer.from("\\"), "\\"], [Buffer.from([1]), "\u0001"],
    [Buffer.from([0x7f]), "\u007f"], [Buffer.from("é"), "é"], [Buffer.from([0xff]), "\uFFFD"], [Buffer.from("\t"), "\t"]];
  const input: Buffer[] = [], expected: string[] = [];
  for (const [bytes, text] of kinds) {
    for (let at = 0; at < 18; at++) {
      input.push(Buffer.from("a".repeat(at)), bytes, Buffer.from(`${"b".repeat(24 - at)}\n`));
      expected.push(`${"a".repeat(at)}${text}${"b".repeat(24 - at)}`);
    }
  }
  const file = join(dir, "offsets.bin");
  writeFileSync(file, Buffer.concat(input));
  const r = await run(["--config", config(program("esc", `cat ${file}`, "log_format=json"))]);
  assert.is(r.code, 0, r.stderr);
  assert.equal(jsonLines(r.stdout).map((o) => o["line"]), expected);
});

test("JSON: a line longer than 16 KiB is cut into pieces, the later ones marked continued", async () => {
  const r = await run(["--log-format", "json", "--config", config(program("long",
    `awk 'BEGIN { s = "a"; while (length(s) < 40000) s = s s; print substr(s, 1, 40000) }'`, ""))]);
  const lines = jsonLines(r.stdout);
  assert.equal(lines.map((o) => (o["line"] as string).length), [16384, 16384, 40000 - 2 * 16384]);
  assert.equal(lines.map((o) => o["continued"] === true), [false, true, true]);
});

/** corral (not PID 1) with `conf`, its stdout into the shell command `reader`; its pid and an end. */
async function piped(conf: string, reader: string): Promise<{ pid: number; stop: () => Promise<void> }> {
  const sh = spawn("sh", ["-c", `exec ${runtimeCommand()} --config ${conf} 2>/dev/null | ${reader}`],
    { stdio: "ignore", env: { ...process.env, CORRAL_CONTROL_SOCKET: "", NODE_EXTRA_CA_CERTS: "" } });
  const done = new Promise<void>((resolve) => sh.on("close", () => resolve()));
  let pid = 0;
  for (let i = 0; i < 200 && !pid; i++) {
    await sleep(25);
    // corral itself among the shell's children (the reader is the other one).
    pid = descendantsOf(sh.pid!).find((p) => {
      try { return readFileSync(`/proc/${p}/cmdline`, "utf8").split("\0").includes(conf); } catch { return false; }
    }) ?? 0;
  }
  if (!pid) throw new Error("corral did not start");
  const stop = async () => {
    try { process.kill(pid, "SIGTERM"); } catch { /* gone */ }
    await until("corral gone", () => !alive(pid));
    for (const p of descendantsOf(sh.pid!)) try { process.kill(p, "SIGKILL"); } catch { /* gone */ } // a reader that never reads
    await done;
  };
  return { pid, stop };
}

test("once corral's stdout is gone (EPIPE), the pump is idle when the program is (prefix and JSON)", async () => {
  for (const keys of ["log_prefix=true", "log_format=json"]) {
    const conf = config(program("out", `sh -c 'yes | head -c 20000000; sleep 100'`, keys));
    const c = await piped(conf, "head -c 3000000 > /dev/null");
    await sleep(3000); // the reader is gone and the program has written all it writes
    const before = cpuTicks(c.pid);
    await sleep(2000);
    const used = cpuTicks(c.pid) - before;
    await c.stop();
    assert.ok(used < 20, `${keys}: corral used ${used} ticks of CPU in 2 s with nothing to do`);
  }
});

/** What a line that never ends may add to corral's RssAnon: the pump's fixed buffers (docs/logs.md) and heap slack. */
const NEVER_ENDING_LINE_LIMIT_KB = 24 * 1024;
/** How much of that line the program writes: ten times the limit, so growth with the output cannot pass. */
const NEVER_ENDING_LINE_BYTES = 256 * 1024 * 1024;

test("a line that never ends, with events on and a stalled reader, costs bounded memory", async () => {
  // The program (spawned: corral is up) waits for `go`, writes 256 MiB without a newline, then says so in `done`: the
  // figure is taken per byte written, not per second, so a loaded machine cannot change it.
  const go = join(dir, "never-ends.go"), done = join(dir, "never-ends.done"), waiting = join(dir, "never-ends.waiting");
  const conf = config(program("out", `sh -c "touch ${waiting}; while [ ! -e ${go} ]; do sleep 0.05; done; head -c ${NEVER_ENDING_LINE_BYTES} /dev/zero | tr '\\\\0' x; touch ${done}; exec sleep 1000"`,
    "stdout_events_enabled=true"));
  const c = await piped(conf, "sleep 300");
  try {
    await until("the program waiting (corral is up)", () => existsSync(waiting), 30_000);
    const before = rssAnonKb(c.pid);
    writeFileSync(go, "");
    await until("the program wrote its line", () => existsSync(done), 240_000, 100);
    const grown = rssAnonKb(c.pid) - before;
    console.log(`\nnote: a 256 MiB line, events on, stdout unread: RssAnon ${before} kB, +${grown} kB`);
    assert.ok(grown < NEVER_ENDING_LINE_LIMIT_KB, `RssAnon grew by ${grown} kB for ${NEVER_ENDING_LINE_BYTES} bytes written`);
  } finally {
    await c.stop();
  }
});

test("--log-format with another value is refused naming the flag and the value", async () => {
  const r = await run(["--log-format", "xml", "--config", config(program("a", "true", ""))]);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /--log-format: expected text or json, got "xml"/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

test.run();
