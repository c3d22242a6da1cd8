// The one loop of corral, as tini's: every input becomes an event for the machine
// (core/machine.ts), every action it returns is carried out in `perform`. No rule lives here:
// this file only turns OS facts into events and actions into OS calls.
import { SIGCHLD, SIGSTOP } from "../os/signals.ts";
import { ESRCH, type DatagramSocket, type Os } from "../os/types.ts";
/** errno for a command= that cannot be split (supervisord's BadCommand). */
const ENOEXEC = 8;
import { Reaper } from "../os/reaper.ts";
import { debug, info, warn } from "../log.ts";
import type { ProgramSpec } from "../config/types.ts";
import { envList, helperSpec } from "../core/env.ts";
import { codeOf } from "../core/exit-codes.ts";
import { Machine, type Action, type ControlLabels, type Event, type JobPlan } from "../core/machine.ts";
import type { ModeRules } from "../core/pid1.ts";
import type { PostStartSpec } from "../core/post-start.ts";
import type { SupervisedProgram } from "../core/supervisor.ts";
import { openControlSocket } from "../control/socket.ts";
import { clearRunning, markRunning } from "../control/files.ts";
import type { ControlPaths } from "../control/paths.ts";
import type { SignalFeed } from "./signal-feed.ts";
import type { PoolPlan } from "../core/event-hub.ts";
import type { ListenerChannels } from "./listener-io.ts";
import { writeOwnPidfile } from "./own-pidfile.ts";
import type { PassedFds } from "./passed-fds.ts";

/** Everything one run needs, validated by the mode that builds it: a job, or programs. */
export interface LoopPlan {
  rules: ModeRules;
  /** Plain `corral -- CMD`. */
  job?: JobPlan;
  programs?: SupervisedProgram<ProgramSpec>[];
  /** Control socket and files per program name (programs without a job have none). */
  controls?: Map<string, ControlPaths>;
  socketMode?: number;
  /** container-run's post-start hook, tied to one program. */
  postStart?: { program: string; spec: PostStartSpec };
  /** Programs that read corral's stdin (container-run's main command); others get /dev/null. */
  stdinFor?: string;
  /** SIGHUP: re-read the config (throws UsageError when it is now invalid). */
  reload?: () => { programs: SupervisedProgram<ProgramSpec>[]; controls: Map<string, ControlPaths>; pools?: PoolPlan[] };
  /** [eventlistener:x] pools; their processes are among `programs`. */
  pools?: PoolPlan[];
  /** Descriptors corral was given to pass on (modes/passed-fds.ts): to the job, or to the
   * programs that inherit=listen_fds. */
  passFds?: PassedFds;
  /** [supervisord] pidfile=: corral's pid, written at start and removed at exit. */
  pidfile?: string;
  /** How programs are spawned and probed (modes/programs.ts): given by supervised modes, so
   * plain `corral -- CMD` never loads spawn-spec, the log mux or the probes. */
  ports?: ProgramPorts;
  /** Serves more inputs over the loop (config mode's control API), bound before the first
   * start; resolves to what closes them at exit. Loaded by the mode that needs it. */
  attach?: (os: Os, loop: LoopHandle) => Promise<() => void>;
}

/** The I/O of supervised programs. */
export interface ProgramPorts {
  /** Spawns `program` (stdin: true for corral's own, false for /dev/null, or a descriptor for its fd 0); its pid or -errno. */
  spawn(os: Os, loop: LoopHandle, program: ProgramSpec, stdin: boolean | number,
    onExit: (exit: { pid: number; code: number; signal: number }) => void): number;
  /** Runs one readiness probe (`ready=` text) to its end. */
  probe(os: Os, reaper: Reaper, ready: string): Promise<boolean>;
  /** [eventlistener:x] processes, spawned with protocol pipes (config mode; listener-io.ts). */
  listeners?(os: Os, loop: LoopHandle, onOutput: (name: string, data: Uint8Array) => void): ListenerChannels;
}

/** What a supervised mode builds (container-run, --config). */
export type SupervisorPlan = LoopPlan & { programs: SupervisedProgram<ProgramSpec>[]; controls: Map<string, ControlPaths>; socketMode: number; ports: ProgramPorts };

/** How the rest of the run reaches the loop: for modes that add their own I/O (the log mux). */
export interface LoopHandle {
  reaper: Reaper;
  /** Runs `hook` just before corral exits (e.g. to write out buffered program output). */
  atExit(hook: () => void): void;
  /** The machine, for read-only queries (statusOf, programs, phase). */
  machine: Machine<ProgramSpec>;
  /** Feeds one event to the loop (as if it came from the OS): commands from the control API. */
  submit(event: Event<ProgramSpec>): void;
  /** Calls `fn` after each event has been handled (the control API's waits). */
  observe(fn: (event: Event<ProgramSpec>) => void): void;
  /** The plan's passFds: what programs that inherit=listen_fds get. */
  passFds?: PassedFds;
}

/** Pause long enough to keep the event loop alive: signal listeners do not, and PID 1 stays until it decides to exit. */
const KEEPALIVE_MS = 2 ** 30;

/**
 * Sends `signo` to every process left: all of the namespace as PID 1, else every descendant.
 * @example signalEverything(os, 15) // as PID 1: kill(-1, SIGTERM)
 */
export function signalEverything(os: Os, signo: number): void {
  if (os.pid === 1) {
    os.kill(-1, signo);
    return;
  }
  for (const pid of os.descendants(os.pid)) os.kill(pid, signo);
}

/**
 * Moves corral to / once its job runs, so PID 1 pins no mount (a volume under its start
 * directory stays unmountable otherwise). Children still start where corral was started
 * (the seam's default cwd); every relative path corral uses is resolved before this.
 * @example leaveStartDirectory(os) // os.cwd() === "/"
 */
export function leaveStartDirectory(os: Os): void {
  const r = os.chdir("/");
  if (r < 0) warn(`cannot change directory to / (errno ${-r}); staying in ${os.cwd()}`);
}

/**
 * Runs `plan` as PID 1 until the machine says exit. Control sockets are bound first (a socket
 * held by a live instance stops corral before anything starts). Resolves once started.
 * @example await runLoop(os, catchSignals(os), { rules: { rewrites: new Map(), remapExit: new Set(), graceMs: 10_000 }, job: { argv: ["sleep", "1"], group: true, rewrites: new Map(), rewritesNote: "" } })
 */
export async function runLoop(os: Os, feed: SignalFeed, plan: LoopPlan): Promise<LoopHandle> {
  const controls = new Map(plan.controls ?? []);
  const sockets = new Map<string, DatagramSocket>();
  const openSocket = async (name: string, paths: ControlPaths): Promise<void> => {
    sockets.set(name, await openControlSocket(os, paths.socket, plan.socketMode ?? 0o600,
      (data, from) => submit({ type: "datagram", name, data, from })));
    info(`control socket ${paths.socket}`);
  };
  for (const [name, paths] of controls) await openSocket(name, paths);

  if (os.pid !== 1 && os.setSubreaper() < 0) warn("not PID 1 and cannot become a subreaper: orphans will escape");
  const reaper = new Reaper(os);
  const machine = new Machine<ProgramSpec>({
    rules: { ...plan.rules, stopsSelf: os.pid !== 1, reloadable: plan.reload !== undefined },
    ...(plan.job ? { job: plan.job } : {}),
    ...(plan.programs ? { programs: plan.programs, labels: labelsOf(controls) } : {}),
    ...(plan.postStart ? { postStart: plan.postStart } : {}),
    ...(plan.pools ? { pools: plan.pools } : {}),
  });
  const timers = new Map<string, ReturnType<Os["setTimer"]>>();
  const watchedGroups = new Set<number>();
  const exitHooks: Array<() => void> = [];
  const observers: Array<(event: Event<ProgramSpec>) => void> = [];
  const handle: LoopHandle = { reaper, atExit: (hook) => void exitHooks.push(hook), machine, submit, observe: (fn) => void observers.push(fn),
    ...(plan.passFds ? { passFds: plan.passFds } : {}) };
  const listeners = plan.ports?.listeners?.(os, handle, (name, data) => submit({ type: "listener-output", name, data }));
  const queue: Event<ProgramSpec>[] = [];
  let busy = false;

  // Events raised while an action runs wait in the queue: one event at a time, in order.
  function submit(event: Event<ProgramSpec>): void {
    queue.push(event);
    if (busy) return;
    busy = true;
    try {
      for (let e = queue.shift(); e; e = queue.shift()) {
        for (const a of machine.handle(e, os.now())) perform(a);
        for (const fn of observers) fn(e);
      }
    } finally {
      busy = false;
    }
  }

  function perform(action: Action): void {
    switch (action.type) {
      case "spawn-job": {
        const spec = { file: action.argv[0]!, argv: action.argv, env: envList(os.env), newGroup: action.group,
          foreground: action.group && os.isatty(0), passFds: plan.passFds?.count, listenPid: plan.passFds?.listenPid };
        const pid = reaper.spawnWith(spec, (exit) => submit({ type: "job-exited", code: exit.code, signal: exit.signal }));
        submit(pid < 0 ? { type: "job-spawn-failed", errno: -pid } : { type: "job-spawned", pid });
        break;
      }
      case "forward-realtime": os.forwardRealtime(action.target, action.rewrites); break;
      case "spawn": spawnProgram(action.name); break;
      case "run-hook": {
        const { run, argv } = action;
        const pid = reaper.spawnWith(helperSpec(argv, os.env),
          (exit) => submit({ type: "hook-exited", run, pid: exit.pid, code: codeOf(exit) }));
        submit(pid < 0 ? { type: "hook-failed", run, errno: -pid } : { type: "hook-started", run, pid });
        break;
      }
      case "probe": {
        const { name, attempt } = action;
        const ready = machine.specOf(name)?.ready;
        if (ready) void plan.ports!.probe(os, reaper, ready).then((healthy) => submit({ type: "probe-result", name, attempt, healthy }));
        break;
      }
      case "signal":
        if (!action.group) os.kill(action.pid, action.signo);
        else if (os.kill(-action.pid, action.signo) === -ESRCH) os.kill(action.pid, action.signo);
        break;
      case "signal-all":
        os.forwardRealtime(0, new Map());
        signalEverything(os, action.signo);
        // With no children left no SIGCHLD will come: look now (outside this event).
        os.setTimer(0, () => reaper.reapNow());
        break;
      case "stop-self": os.kill(os.pid, SIGSTOP); break;
      case "watch-group":
        watchedGroups.add(action.pgid);
        reportGoneGroups();
        break;
      case "set-timer": {
        const { key } = action;
        os.clearTimer(timers.get(key));
        timers.set(key, os.setTimer(action.ms, () => {
          timers.delete(key);
          submit({ type: "timer", key });
        }));
        break;
      }
      case "clear-timer":
        os.clearTimer(timers.get(action.key));
        timers.delete(action.key);
        break;
      case "send": void sockets.get(action.name)?.sendTo(action.to, action.data); break;
      case "mark-running": {
        const paths = controls.get(action.name);
        if (paths) markRunning(os, paths, action.pid);
        break;
      }
      case "clear-running": {
        const paths = controls.get(action.name);
        if (paths) clearRunning(os, paths, action.pid);
        break;
      }
      case "close-sockets": for (const s of sockets.values()) s.close(); break;
      case "listener-send": listeners?.send(action.name, action.data); break;
      case "reload": void reload(); break;
      case "reopen-logs": os.reopenLogs(); break;
      case "exit":
        for (const t of timers.values()) os.clearTimer(t);
        for (const hook of exitHooks) {
          try { hook(); } catch (err) { warn(`internal error at exit (continuing): ${err}`); }
        }
        os.exit(action.code);
        break;
      case "log": (action.level === 0 ? warn : action.level === 1 ? info : debug)(action.message); break;
      case "print": void os.writeStdout(action.text); break;
    }
  }

  function spawnProgram(name: string): void {
    const program = machine.specOf(name)!;
    const onExit = (exit: { pid: number; code: number; signal: number }): void =>
      submit({ type: "exited", name, ...exit, groupAlive: os.kill(-exit.pid, 0) === 0 });
    // A command= supervisord accepts but cannot split fails every spawn, as there (BACKOFF, then FATAL).
    const pid = program.spawnError ? -ENOEXEC : listeners && machine.isListener(name) ? listeners.spawn(program, onExit) :
      plan.ports!.spawn(os, handle, program, plan.stdinFor === name, onExit);
    submit(pid < 0 ? { type: "spawn-failed", name, file: program.command[0] ?? program.commandLine ?? "", errno: -pid } : { type: "spawned", name, pid });
  }

  function reportGoneGroups(): void {
    for (const pgid of watchedGroups) {
      if (os.kill(-pgid, 0) !== -ESRCH) continue;
      watchedGroups.delete(pgid);
      submit({ type: "group-gone", pgid });
    }
  }

  async function reload(): Promise<void> {
    let next;
    try {
      next = plan.reload!();
    } catch (err) {
      submit({ type: "reload-failed", message: (err as Error).message });
      return;
    }
    for (const [name, socket] of sockets) {
      if (next.controls.get(name)?.socket !== controls.get(name)?.socket) {
        socket.close();
        sockets.delete(name);
      }
    }
    for (const [name, paths] of next.controls) {
      controls.set(name, paths);
      if (!sockets.has(name)) await openSocket(name, paths).catch((err) => warn(`SIGHUP: ${(err as Error).message}`));
    }
    submit({ type: "reloaded", programs: next.programs, labels: labelsOf(next.controls), ...(next.pools ? { pools: next.pools } : {}) });
  }

  if (plan.attach) exitHooks.push(await plan.attach(os, handle));
  reaper.onOrphan = (exit) => submit({ type: "orphan-reaped", pid: exit.pid });
  reaper.onPass = reportGoneGroups;
  reaper.onEmpty = () => submit({ type: "no-children" });
  const keepAlive = (): void => void os.setTimer(KEEPALIVE_MS, keepAlive);
  keepAlive();
  // Before the first spawn, so even a job that looks at once finds corral out of its directory.
  leaveStartDirectory(os);
  if (plan.pidfile) writeOwnPidfile(os, plan.pidfile, handle.atExit);
  submit({ type: "start" });
  feed.attach((signo) => (signo === SIGCHLD ? reaper.reapNow() : submit({ type: "signal", signo })));
  // A child may already have exited before SIGCHLD could be delivered to a listener.
  reaper.reapNow();
  return handle;
}

function labelsOf(controls: Map<string, ControlPaths>): Map<string, ControlLabels> {
  return new Map([...controls].map(([name, p]) => [name, { job: p.job, process: p.process }]));
}
