// Shared helpers for integration tests: run the built bundle as a real process,
// usually as PID 1 of a fresh PID namespace.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import * as assert from "uvu/assert";

/** The bundle under test. */
export const BUNDLE = join(process.cwd(), "dist/corral.js");

/** The runtime the integration tests run the bundle on (CORRAL_TEST_RUNTIME=deno for Deno). */
export const RUNTIME: "node" | "deno" = process.env.CORRAL_TEST_RUNTIME === "deno" ? "deno" : "node";

/**
 * Deno flags besides permissions: never prompt (PID 1 has nobody to ask), and CommonJS detection so a symlink outside dist/ (container-run, sipid) runs the bundle too.
 */
const DENO_FLAGS = ["--no-prompt", "--unstable-detect-cjs"];

/**
 * What corral needs from Deno (docs/deno.md): the addon (ffi), its files and
 * config (read, write), the environment, process.umask (sys), unix sockets (net).
 * No --allow-run: corral.node spawns and signals.
 */
export const DENO_PERMISSIONS = [...DENO_FLAGS, "--allow-ffi", "--allow-read", "--allow-write", "--allow-env", "--allow-net", "--allow-sys"];

/** Deno's own executable from the `deno` dev dependency (not its Node wrapper, which would sit between). */
export function denoBinary(): string {
  const arch = process.arch === "arm64" ? "arm64" : "x64";
  const candidates = ["node_modules/deno/deno", `node_modules/@deno/linux-${arch}-glibc/deno`].map((f) => join(process.cwd(), f));
  return candidates.find((f) => existsSync(f)) ?? candidates[0]!;
}

/**
 * The command line that runs the bundle (or `script`, e.g. a symlink to it) on the runtime
 * under test; `permissions` replaces DENO_PERMISSIONS on Deno.
 * @example spawn(runtimeArgv()[0], [...runtimeArgv().slice(1), "--version"])
 */
export function runtimeArgv(script = BUNDLE, permissions = DENO_PERMISSIONS): string[] {
  return RUNTIME === "deno" ? [denoBinary(), "run", ...permissions, script] : [process.execPath, script];
}

/** Shell-quoted runtimeArgv(), for tests that build a shell command line. */
export function runtimeCommand(permissions = DENO_PERMISSIONS): string {
  return runtimeArgv(BUNDLE, permissions).map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
}

/**
 * The line that marks a test as skipped. uvu has no way to skip from inside a test (its
 * test.skip is decided at load time), so a test that finds it cannot run prints this on a
 * line of its own and returns; test/run.mjs counts these lines as skipped, not passed.
 */
export const SKIP_MARKER = "skipped: ";

/**
 * Marks the running test as skipped, saying why; the test returns right after.
 * @example if (!have("flock")) return skip("flock(1) is not installed");
 */
export function skip(reason: string): void {
  // uvu writes its progress marks without a newline: start a line of our own.
  process.stdout.write(`\n${SKIP_MARKER}${reason}\n`);
}

/**
 * Skips the test (saying why) when it cannot work on the runtime under test; true if so.
 * @example if (skipOn("deno", "reads /proc, which needs --allow-all")) return;
 */
export function skipOn(runtime: "node" | "deno", reason: string): boolean {
  if (RUNTIME !== runtime) return false;
  skip(`${reason} (on ${runtime})`);
  return true;
}

/**
 * Resolves once `check()` holds, polling every `everyMs`; fails after `ms`, naming `what`.
 * For "nothing changed" checks wait for a later event or reply instead (see control.test.ts).
 * @example await until("the pidfile", () => existsSync(pidfile));
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Result of a finished process. */
export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A started corral with a handle to talk to it. */
export interface Running {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  done: Promise<Finished>;
  /** Resolves once `pattern` shows up on stdout or stderr. */
  waitFor(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
}

/** Options for `start`. */
export interface StartOptions {
  /** Run as PID 1 of a new PID namespace (default true). */
  pid1?: boolean;
  env?: Record<string, string>;
  cwd?: string;
}

/**
 * Starts corral with `args`, as PID 1 of a new PID namespace unless pid1 is false.
 * @example const c = start(["--", "sh", "-c", "exit 3"]); (await c.done).code // 3
 */
export function start(args: string[], options: StartOptions = {}): Running {
  const argv = [...runtimeArgv(), ...args];
  const full = options.pid1 === false ? argv : ["unshare", "--pid", "--fork", "--mount-proc", "--kill-child", ...argv];
  const t0 = Date.now();
  const child = spawn(full[0]!, full.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    // No default control socket unless a test asks: parallel configs would race for /run/corral/corral.sock.
    env: { ...process.env, NODE_EXTRA_CA_CERTS: "", CORRAL_CONTROL_SOCKET: "", ...options.env },
    cwd: options.cwd,
  });
  let out = "", err = "";
  const waiters: Array<() => void> = [];
  const check = () => waiters.splice(0).forEach((w) => w());
  child.stdout!.on("data", (d) => { out += d; check(); });
  child.stderr!.on("data", (d) => { err += d; check(); });
  const done = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => { check(); resolve({ code, signal, stdout: out, stderr: err, ms: Date.now() - t0 }); });
  });
  const waitFor = (pattern: RegExp | string, timeoutMs = 10_000) => new Promise<void>((resolve, reject) => {
    const test = () => (typeof pattern === "string" ? (out + err).includes(pattern) : pattern.test(out + err));
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stdout: ${out}; stderr: ${err}`)), timeoutMs);
    const poll = () => {
      if (test()) { clearTimeout(timer); resolve(); return; }
      if (child.exitCode !== null || child.signalCode !== null) { clearTimeout(timer); reject(new Error(`exited before ${pattern}; stdout: ${out}; stderr: ${err}`)); return; }
      waiters.push(poll);
    };
    poll();
  });
  return { child, stdout: () => out, stderr: () => err, done, waitFor };
}

/**
 * Runs corral to completion.
 * @example (await run(["sh", "-c", "exit 7"])).code // 7
 */
export function run(args: string[], options: StartOptions = {}): Promise<Finished> {
  return start(args, options).done;
}

/**
 * The host pid of corral inside the namespace `unshare` made (its only child).
 * @example process.kill(await corralPid(c), "SIGTERM")
 */
export async function corralPid(running: Running, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = running.child.pid!;
    try {
      const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
      if (kids) return Number(kids.split(/\s+/)[0]);
    } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error("corral did not start");
    await sleep(5);
  }
}

/**
 * Stops corral as a container runtime would (SIGTERM) and fails unless it exits 0; its result.
 * @example const r = await stopCleanly(c); assert.not.match(r.stderr, /internal error/)
 */
export async function stopCleanly(running: Running): Promise<Finished> {
  process.kill(await corralPid(running), "SIGTERM");
  const r = await running.done;
  assert.is(r.code, 0, r.stderr.slice(-2000));
  return r;
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `pid` exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Pids of processes whose ancestry includes `root` (host view). */
export function descendantsOf(root: number): number[] {
  const kids = new Map<number, number[]>();
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const s = readFileSync(`/proc/${e}/stat`, "latin1");
      const ppid = Number(s.slice(s.lastIndexOf(")") + 2).split(" ")[1]);
      kids.set(ppid, [...(kids.get(ppid) ?? []), Number(e)]);
    } catch { /* gone */ }
  }
  const out: number[] = [];
  const q = [root];
  while (q.length) for (const k of kids.get(q.pop()!) ?? []) { out.push(k); q.push(k); }
  return out;
}

/** True when a command is on PATH. */
export function have(command: string): boolean {
  return (process.env.PATH ?? "").split(":").some((d) => existsSync(join(d, command)));
}

/**
 * Sends `request` as is on a fresh connection to the unix socket `path` and resolves with all
 * it got back once the server closes (or after 2 s): for malformed requests a client would not send.
 * @example await rawRequest("/run/corral/corral.sock", "NONSENSE\r\n\r\n") // "HTTP/1.1 400 Bad Request…"
 */
export function rawRequest(path: string, request: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(path);
    let got = "";
    s.on("connect", () => s.write(request));
    s.on("data", (d) => (got += d));
    s.on("close", () => resolve(got));
    s.on("error", () => resolve(got));
    setTimeout(() => s.destroy(), 2000);
  });
}

/** A TCP port on 127.0.0.1 that nobody listens on now (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Where a test's supervisord.conf serves its API: a unix socket, or 127.0.0.1:port with basic auth. */
export type TestServer = { socket: string } | { port: number; username: string; password: string };

/**
 * The sections every supervisord.conf that real supervisord and corral both run shares: the
 * server, supervisord's own files in `dir`, the RPC interface and supervisorctl's url (with the
 * credentials), as Debian's supervisord.conf lays them out.
 */
export function serverSections(dir: string, server: TestServer): string {
  const [section, url, auth] = "socket" in server
    ? [`[unix_http_server]\nfile=${server.socket}\nchmod=0700\n`, `unix://${server.socket}`, ""]
    : [`[inet_http_server]\nport=127.0.0.1:${server.port}\n`, `http://127.0.0.1:${server.port}`, `username=${server.username}\npassword=${server.password}\n`];
  return `${section}${auth}
[supervisord]
logfile=${dir}/supervisord.log
pidfile=${dir}/supervisord.pid
childlogdir=${dir}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=${url}
${auth}`;
}

/**
 * Debian's layout in `dir` (made if missing): supervisord.conf with the server sections and an
 * `[include]` of programs.conf, which holds `programs`. Returns supervisord.conf's path.
 */
export function includeLayout(dir: string, programs: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "programs.conf"), programs);
  const conf = join(dir, "supervisord.conf");
  writeFileSync(conf, `${serverSections(dir, { socket: `${dir}/s.sock` })}\n[include]\nfiles = programs.conf\n`);
  return conf;
}
