// corral's flags for running a job: one table drives parsing, env vars and help.
import mri from "mri";
import { UsageError } from "../core/errors.ts";

/** How a flag takes its value. */
type Kind = "bool" | "count" | "string" | "list";

/** One flag of corral's run modes: its long name, short letter, how it takes a value, help text. */
export interface Flag {
  name: string;
  short?: string;
  kind: Kind;
  help: string;
  arg?: string;
}

/** Every run-mode flag; each also reads CORRAL_<NAME> (upper case, - as _). */
export const FLAGS: readonly Flag[] = [
  { name: "single-child", short: "c", kind: "bool", help: "signal only the child, not its process group" },
  { name: "rewrite", short: "r", kind: "list", arg: "FROM:TO", help: "rewrite a received signal before forwarding (TO 0 drops it); repeatable" },
  { name: "remap-exit", short: "e", kind: "list", arg: "CODE", help: "treat this exit code as 0 (e.g. 143); repeatable" },
  { name: "grace", short: "t", kind: "string", arg: "SECONDS", help: "after the command exits: SIGTERM what is left, SIGKILL after this long (default 10)" },
  { name: "preserve-fds", kind: "string", arg: "N", help: "pass fds 3 .. 2+N on to the job, as podman's --preserve-fds (LISTEN_FDS ones need no flag)" },
  { name: "verbose", short: "v", kind: "count", help: "log lifecycle events (-vv: every event)" },
  { name: "version", short: "V", kind: "bool", help: "print the version" },
  { name: "help", short: "h", kind: "bool", help: "print this help" },
  { name: "job-name", kind: "string", arg: "JOB", help: "container-run job name: enables the control socket" },
  { name: "process-name", kind: "string", arg: "PROC", help: "container-run process name (default: the job name)" },
  { name: "base-dir", kind: "string", arg: "DIR", help: "root of data/ and sys/run/ (default /var/vcap)" },
  { name: "socket-mode", kind: "string", arg: "MODE", help: "octal mode of the control socket (default 0600)" },
  { name: "stop-grace", kind: "string", arg: "SECONDS", help: "STOP: SIGTERM, then SIGKILL after this long (default 20)" },
  { name: "exit-on-zero", kind: "bool", help: "exit when the command exits 0 (container-run stays up)" },
  { name: "post-start-name", kind: "string", arg: "CMD", help: "run CMD once the command has started (every START)" },
  { name: "post-start-arg", kind: "list", arg: "ARG", help: "argument for the post-start command; repeatable" },
  { name: "post-start-condition-name", kind: "string", arg: "CMD", help: "run post-start only once CMD succeeds (polled every 3 s)" },
  { name: "post-start-condition-arg", kind: "list", arg: "ARG", help: "argument for the condition; repeatable" },
  { name: "debug", kind: "bool", help: "container-run's --debug: same as -vv" },
  { name: "config", kind: "string", arg: "FILE|DIR", help: "supervise the programs of a supervisord-style config" },
  { name: "check", kind: "bool", help: "with --config: print every field resolved for each process, group and pool (KIND NAME KEY=VALUE lines) and every warning; start nothing" },
  { name: "strict", kind: "bool", help: "with --config: treat config warnings (keys supervisord ignores, …) as errors (exit 2)" },
  { name: "control-socket", kind: "string", arg: "PATH", help: "with --config and no [unix_http_server]: the control API's socket (default /run/corral/corral.sock; CORRAL_CONTROL_SOCKET= empty: none)" },
  { name: "log-prefix", kind: "bool", help: "prefix each output line with the program name" },
  { name: "log-format", kind: "string", arg: "text|json", help: "program output as it is (text) or one JSON object per line" },
];

/** Raw values by long name, as the table's kinds produce them (internal to parsing). */
type FlagValues = Record<string, string | boolean | number | string[] | undefined>;

/** corral's run flags, typed once here (camelCase of the long names in FLAGS). */
export interface Flags {
  singleChild: boolean;
  rewrite: string[];
  remapExit: string[];
  grace: string | undefined;
  preserveFds: string | undefined;
  verbose: number;
  version: boolean;
  help: boolean;
  jobName: string | undefined;
  processName: string | undefined;
  baseDir: string | undefined;
  socketMode: string | undefined;
  stopGrace: string | undefined;
  exitOnZero: boolean;
  postStartName: string | undefined;
  postStartArg: string[];
  postStartConditionName: string | undefined;
  postStartConditionArg: string[];
  debug: boolean;
  config: string | undefined;
  logPrefix: boolean;
  controlSocket: string | undefined;
  check: boolean;
  strict: boolean;
  logFormat: string | undefined;
}

const byLong = new Map(FLAGS.map((f) => [f.name, f]));
const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));
const takesValue = (f: Flag | undefined) => f !== undefined && (f.kind === "string" || f.kind === "list");

/**
 * Index of the first argument that is not corral's: after `--`, or the first
 * non-option, so `corral echo -v` leaves `-v` to echo.
 * @example commandStart(["-v", "--", "ls"]) // 1 (the "--")
 */
export function commandStart(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--" || !a.startsWith("-") || a === "-") return i;
    if (valueFlagOf(a)) i++;
  }
  return args.length;
}

/**
 * The flag whose value is the argument after `arg`: `--name` (not `--name=V`) or a short one,
 * alone or last in a cluster (`-vt`), that takes a value.
 */
function valueFlagOf(arg: string): Flag | undefined {
  const f = arg.startsWith("--") ? (arg.includes("=") ? undefined : byLong.get(arg.slice(2))) :
    arg.startsWith("-") && arg.length > 1 ? byShort.get(arg[arg.length - 1]!) : undefined;
  return takesValue(f) ? f : undefined;
}

/**
 * Parses corral's own flags (with mri) and fills gaps from CORRAL_* variables.
 * Throws UsageError naming the flag for anything unknown or missing its value.
 * @example parseFlags(["-t", "5", "-vv"], {}) // { grace: "5", verbose: 2, ... }
 */
export function parseFlags(head: readonly string[], env: Record<string, string | undefined>): Flags {
  let unknown: string | undefined;
  // No mri aliases: mri drops values when -r and --rewrite are mixed; short and long are merged below.
  const names = (fs: readonly Flag[]) => fs.flatMap((f) => (f.short ? [f.name, f.short] : [f.name]));
  const parsed = mri(joinValues(head), {
    alias: Object.fromEntries(names(FLAGS).map((n) => [n, []])), // mri's strict mode knows only alias keys
    string: names(FLAGS.filter(takesValue)),
    boolean: names(FLAGS.filter((f) => !takesValue(f))),
    unknown: (flag: string) => { unknown = flag; },
  });
  if (unknown !== undefined) throw new UsageError(`unknown option ${unknown} (see corral --help)`);
  const both = (f: Flag) => [parsed[f.short ?? ""], parsed[f.name]].flatMap((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
  const values: FlagValues = {};
  for (const f of FLAGS) {
    const fromEnv = env[envName(f)];
    values[camelCase(f.name)] = normalize(f, both(f), fromEnv);
  }
  // The one cast: each kind in FLAGS yields its type in Flags (bool, count, string, list).
  return values as unknown as Flags;
}

const camelCase = (name: string): string => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

// A value flag takes the next argument even when it starts with "-" (as container-run's
// Go flags do: `--post-start-arg -c`); mri would read it as a flag, so join them first.
function joinValues(head: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < head.length; i++) {
    const a = head[i]!;
    const f = valueFlagOf(a);
    if (f && i + 1 < head.length) {
      // Joined, so mri never reads a value that starts with a dash (`-t -1`) as a flag of its own.
      if (!a.startsWith("--") && a.length > 2) out.push(a.slice(0, -1)); // the rest of a cluster
      out.push(`--${f.name}=${head[++i]}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * The environment variable that stands for flag `f`.
 * @example envName(FLAGS[0]!) // "CORRAL_SINGLE_CHILD"
 */
export const envName = (f: Flag) => `CORRAL_${f.name.toUpperCase().replace(/-/g, "_")}`;
/** What a CORRAL_* switch may say. */
const TRUE_WORDS = /^(1|true|yes|on)$/i;
const FALSE_WORDS = /^(0|false|no|off|)$/i;

function normalize(f: Flag, list: unknown[], fromEnv: string | undefined): FlagValues[string] {
  if (takesValue(f)) {
    for (const v of list) {
      if (v === "" || typeof v !== "string") throw new UsageError(`--${f.name}: expected ${f.arg ?? "a value"}`);
    }
  }
  switch (f.kind) {
    case "bool": {
      if (list.length) return list.some(Boolean);
      if (fromEnv === undefined || FALSE_WORDS.test(fromEnv.trim())) return false;
      if (TRUE_WORDS.test(fromEnv.trim())) return true;
      throw new UsageError(`${envName(f)}: expected 1, true, yes or on (0, false, no, off or empty for off), got "${fromEnv}"`);
    }
    case "count":
      if (list.length) return list.filter(Boolean).length;
      return fromEnv === undefined ? 0 : /^\d+$/.test(fromEnv.trim()) ? Number(fromEnv) : fromEnv.trim() ? 1 : 0;
    case "string":
      if (list.length) return String(list[list.length - 1]);
      return fromEnv?.trim() || undefined;
    case "list":
      if (list.length) return list.map(String);
      return fromEnv === undefined ? [] : fromEnv.split(/[\s,]+/).filter(Boolean);
  }
}

/**
 * The help text, generated from FLAGS.
 * @example helpText("0.1.0").startsWith("corral 0.1.0") // true
 */
export function helpText(version: string): string {
  const rows = FLAGS.map((f) => {
    const left = `${f.short ? `-${f.short}, ` : "    "}--${f.name}${f.arg ? ` ${f.arg}` : ""}`;
    return `  ${left.padEnd(38)} ${f.help}`;
  });
  return `corral ${version}: a tiny init and supervisor for containers

Usage:
  corral [OPTIONS] [--] COMMAND [ARGS...]   run COMMAND as the job of PID 1
  corral --config FILE|DIR [OPTIONS]        supervise the programs of a config
  corral --config FILE|DIR --check [--strict]  print what that config would run, and its warnings
  corral ctl start|stop|quit|status ...     drive control sockets (corral ctl --help)
  corral bpm start|stop|term|quit|pid|running JOB [-p PROC]
  corral pidfile claim|kill ...             pidfile helpers (sipid)
  corral wait-until-healthy --url URL       wait for a health check

Options (each also as CORRAL_<NAME>, e.g. CORRAL_GRACE=5):
${rows.join("\n")}

Exit codes: the command's code; 128+N when it died of signal N; 126 not executable;
127 not found; 2 usage or config error.
`;
}
