// Program output that corral must touch (a prefix, JSON lines, a rotating file) goes through
// corral.node's pump; this sets its routes up per spawn and turns its reports into warnings.
import type { LogTarget, ProgramSpec } from "../config/types.ts";
import type { LogEvent, LogRoute, Os } from "../os/types.ts";
import { warn } from "../log.ts";
import { prefixesOf, wantsColour } from "./prefix.ts";
import { routeFormat, type OutputFormat } from "./routing.ts";
import { openTail, tailName } from "./tails.ts";

/** How long corral, exiting, keeps writing program output to a reader that still reads. */
export const EXIT_FLUSH_MS = 1000;

/** A program's stdio with its pumped streams on pipes; `spawned` gives the pump the pid. */
export interface PumpedStdio {
  stdio: [number, number, number];
  /** Closes corral's copies of the pipes' write ends (once the child has them). */
  release(): void;
  /** Names the pid in JSON lines. */
  spawned(pid: number): void;
}

/** Where the pump writes a stream that is read only for its events (stdout_logfile=NONE). */
const DISCARD_PATH = "/dev/null";

/**
 * Gets a stream's output as it is read (each chunk once), for PROCESS_LOG_STDOUT/STDERR events.
 * `data` is valid during the call only (the pump reuses its buffer): the loop handles it at once.
 */
export type OutputSink = (channel: "stdout" | "stderr", data: Uint8Array) => void;

let started: Os | undefined;
/** route id -> who gets its output, until the route ends. */
const sinks = new Map<number, OutputSink>();

function onEvent(event: LogEvent): void {
  if (event.type === "output") sinks.get(event.route)?.(event.stream === 2 ? "stderr" : "stdout", event.data);
  else if (event.type === "ended") sinks.delete(event.route);
  else if (event.type === "broken") warn(`${event.output}: program output discarded from now on (write failed: errno ${event.errno})`);
  else if (event.type === "file-error") warn(`${event.path}: program output lost (write failed: errno ${event.errno})`);
}

// Starts the pump once, flushed when corral exits; false when it cannot run.
function ensureStarted(os: Os, atExit: (hook: () => void) => void): boolean {
  if (started === os) return true;
  const r = os.startLogPump(onEvent);
  if (r < 0) {
    warn(`log pump: cannot start (errno ${-r}); program output goes straight to its targets`);
    return false;
  }
  started = os;
  atExit(() => os.flushLogs(EXIT_FLUSH_MS));
  return true;
}

/**
 * Puts each stream of `program` that corral must format or rotate on a pipe read by the
 * pump (see routeFormat); the rest keep their descriptors from `stdio`. redirect_stderr puts
 * stderr on the stdout pipe, so both keep their order (and JSON lines say "stdout"). With
 * `onOutput`, a stream whose *_events_enabled is set is read by the pump whatever its target,
 * and `onOutput` gets each chunk read (redirected stderr comes as "stdout", as in supervisord).
 * While tails are kept (keepTails), a stream to corral's stdout/stderr is pumped into its tail.
 * @example const piped = pumpedStdio(os, (hook) => process.on("exit", hook), program, [0, 1, 2], "text"); piped.release(); // piped.stdio: the descriptors to spawn with
 */
export function pumpedStdio(os: Os, atExit: (hook: () => void) => void, program: ProgramSpec,
  stdio: [number, number, number], format: OutputFormat, onOutput?: OutputSink): PumpedStdio {
  const opened: number[] = [];
  const routes: number[] = [];
  const pipeFor = (stream: 1 | 2, target: LogTarget, direct: number): number => {
    const events = onOutput !== undefined && (stream === 1 ? program.stdoutEvents : program.stderrEvents) === true;
    const name = stream === 1 ? "stdout" : "stderr";
    // Output to corral's own stdout/stderr is kept in memory too (files are read as they are).
    const tail = target.kind === "inherit" ? openTail(tailName(program.name, name)) : undefined;
    const kind = routeFormat(target, program.logPrefix === true, format, events, tail !== undefined);
    if (kind === undefined) return direct;
    if (!ensureStarted(os, atExit)) return direct;
    const fds = os.pipe();
    if (typeof fds === "number") {
      const lost = target.kind === "null" ? "gives no PROCESS_LOG events" : `goes to corral's ${name} unformatted`;
      warn(`${program.name}: ${name} ${lost} (cannot make a pipe: errno ${-fds})`);
      return direct;
    }
    const route: LogRoute = { name: program.name, stream, format: kind,
      to: target.kind === "inherit" ? { fd: target.fd } : target.kind === "null" ? { path: DISCARD_PATH, maxBytes: 0, backups: 0 } :
        { path: target.path, maxBytes: target.maxBytes, backups: target.backups } };
    if (events) route.events = true;
    if (tail !== undefined) route.tail = tail;
    if (kind === "prefix" && target.kind === "inherit") {
      const prefixes = prefixesOf(program.name, wantsColour(os.isatty(target.fd), os.env));
      route.prefix = prefixes.line;
      route.continued = prefixes.continued;
    }
    const id = os.addLogRoute(fds[0], route);
    if (id < 0) {
      os.closeFd(fds[0]);
      os.closeFd(fds[1]);
      if (target.kind === "null") {
        warn(`${program.name}: ${name} gives no PROCESS_LOG events (the log pump refused it: errno ${-id})`);
        return direct;
      }
      const what = target.kind === "file" ? `cannot open ${target.path}` : "the log pump refused it";
      warn(`${program.name}: ${name} goes to corral's ${name} (${what}: errno ${-id})`);
      return target.kind === "file" ? -1 : direct; // -1: the child keeps corral's own descriptor
    }
    if (events) sinks.set(id, onOutput!);
    routes.push(id);
    opened.push(fds[1]);
    return fds[1];
  };
  const out = pipeFor(1, program.stdout, stdio[1]);
  const err = program.redirectStderr ? out : pipeFor(2, program.stderr, stdio[2]);
  return {
    stdio: [stdio[0], out, err],
    release: () => opened.forEach((fd) => os.closeFd(fd)),
    spawned: (pid) => routes.forEach((route) => os.setLogRoutePid(route, pid)),
  };
}

/**
 * SIGUSR2: reopens every log file the pump writes (after logrotate moved them).
 * @example reopenLogFiles(os)
 */
export function reopenLogFiles(os: Os): void {
  if (started !== os) return;
  const failed = os.reopenLogs();
  if (failed > 0) warn(`SIGUSR2: ${failed} log files could not be reopened`);
}
