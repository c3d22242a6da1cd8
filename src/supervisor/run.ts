// Runs the supervisor for real: spawns, signals process groups, arms timers, serves the
// control sockets, keeps the .running/pid files, and hands the end to the PID-1 core.
import { SIGHUP, SIGINT, SIGKILL, SIGTERM, SIGUSR2, signalName } from "../os/signals.ts";
import { ESRCH, type ChildExit, type DatagramSocket, type Os } from "../os/types.ts";
import { debug, info, logLevel, warn } from "../log.ts";
import type { ModeRules } from "../init/machine.ts";
import type { SignalFeed } from "../init/signal-feed.ts";
import { envList, execFailure, leaveStartDirectory, startPid1 } from "../init/run.ts";
import { openControlSocket } from "../control/socket.ts";
import { clearRunning, markRunning } from "../control/files.ts";
import { encodeStatus, parseCommand } from "../control/protocol.ts";
import type { ControlPaths } from "../control/paths.ts";
import { prepareSpawn } from "./spawn-spec.ts";
import { PostStart, type PostStartSpec } from "./post-start.ts";
import { Supervisor, codeOf, type Action, type Event, type SupervisedProgram } from "./supervisor.ts";
import { startProbing } from "./probing.ts";
import { pumpedStdio, reopenLogFiles } from "../logs/pump.ts";

/** Everything a supervised run needs, validated by the mode that builds it. */
export interface SupervisorPlan {
  programs: SupervisedProgram[];
  /** Control socket and files per program name (programs without a job have none). */
  controls: Map<string, ControlPaths>;
  socketMode: number;
  rules: ModeRules;
  /** container-run's post-start hook, tied to one program. */
  postStart?: { program: string; spec: PostStartSpec };
  /** Programs that read corral's stdin (container-run's main command); others get /dev/null. */
  stdinFor?: string;
  /** SIGHUP: re-read the config (throws UsageError when it is now invalid). */
  reload?: () => { programs: SupervisedProgram[]; controls: Map<string, ControlPaths> };
}

/**
 * Supervises `plan.programs` as PID 1 until the supervisor is done, then lets the PID-1
 * core stop whatever is left and exit. Resolves once everything is started.
 * @example await runSupervisor(os, feed, plan)
 */
export async function runSupervisor(os: Os, feed: SignalFeed, plan: SupervisorPlan): Promise<void> {
  const supervisor = new Supervisor(plan.programs);
  const sockets = new Map<string, DatagramSocket>();
  const queue: Event[] = [];
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const lingering = new Map<number, { name: string; exit: ChildExit }>();
  const probes = new Map<string, () => void>();
  let busy = false;

  const controls = new Map(plan.controls);
  const openSocket = async (name: string, paths: ControlPaths) => {
    sockets.set(name, await openControlSocket(os, paths.socket, plan.socketMode, (data, from) => onDatagram(name, data, from)));
    info(`control socket ${paths.socket}`);
  };
  // Sockets first: a socket held by a live instance must stop us before anything starts.
  for (const [name, paths] of controls) await openSocket(name, paths);

  const pid1 = startPid1(os, feed, plan.rules, forwardToAll, onSignal);
  const postStart = plan.postStart && new PostStart(os, pid1.reaper, plan.postStart.spec, envList(os.env));

  function submit(event: Event): void {
    queue.push(event);
    if (busy) return;
    busy = true;
    try {
      for (let e = queue.shift(); e; e = queue.shift()) perform(supervisor.handle(e, Date.now()));
    } finally {
      busy = false;
    }
  }

  function perform(actions: Action[]): void {
    for (const action of actions) {
      switch (action.type) {
        case "spawn": spawn(action.name); break;
        case "signal": signalGroup(action.pid, action.signo); break;
        case "set-timer": {
          const key = `${action.name}:${action.kind}`;
          clearTimeout(timers.get(key));
          timers.set(key, setTimeout(() => submit({ type: "timer", name: action.name, kind: action.kind }), action.ms));
          break;
        }
        case "clear-timer": {
          const key = `${action.name}:${action.kind}`;
          clearTimeout(timers.get(key));
          timers.delete(key);
          break;
        }
        case "probe":
          probes.get(action.name)?.();
          probes.set(action.name, startProbing(os, pid1.reaper, supervisor.programs.get(action.name)!.spec,
            () => submit({ type: "ready", name: action.name })));
          break;
        case "transition": onTransition(action.name, action.to, action.from, action.pid); break;
        case "done":
          for (const s of sockets.values()) s.close();
          pid1.dispatch({ type: "job-done", code: action.code, signal: 0 });
          break;
      }
    }
  }

  function spawn(name: string): void {
    const program = supervisor.programs.get(name)!.spec;
    const { spec, release } = prepareSpawn(program, os.env, plan.stdinFor === name ? 0 : -1);
    // Streams corral formats or rotates get a pipe read by the log pump; the rest go straight.
    const piped = pumpedStdio(os, pid1.atExit, program, spec.stdio!, program.logFormat ?? "text");
    spec.stdio = piped.stdio;
    const pid = pid1.reaper.spawnWith(spec, (exit) => onExit(name, exit));
    release();
    piped.release();
    if (pid > 0) piped.spawned(pid);
    if (pid < 0) {
      warn(`${name}: ${execFailure(spec.file, -pid).message}`);
      submit({ type: "spawn-failed", name, errno: -pid });
    } else {
      submit({ type: "spawned", name, pid });
    }
  }

  // A stopped program is only down once its whole process group is: START waits for that.
  function onExit(name: string, exit: ChildExit): void {
    if (supervisor.status.get(name)?.state === "STOPPING" && os.kill(-exit.pid, 0) === 0) {
      lingering.set(exit.pid, { name, exit });
      debug(`${name}: pid ${exit.pid} exited, waiting for the rest of its process group`);
      return;
    }
    submit({ type: "exited", name, ...exit });
  }

  pid1.reaper.onPass = () => {
    for (const [pgid, { name, exit }] of lingering) {
      if (os.kill(-pgid, 0) === -ESRCH) {
        lingering.delete(pgid);
        submit({ type: "exited", name, ...exit });
      }
    }
  };

  function signalGroup(pid: number, signo: number): void {
    if (os.kill(-pid, signo) === -ESRCH) os.kill(pid, signo);
  }

  function onTransition(name: string, to: string, from: string, pid: number): void {
    const paths = controls.get(name);
    if (to === "STARTING" && pid > 0) {
      info(`${name}: started as pid ${pid}`);
      if (paths) markRunning(paths, pid);
      if (postStart && plan.postStart!.program === name) postStart.begin();
      return;
    }
    const last = supervisor.status.get(name)?.lastExit; // gone when a reload removed it
    const exit = last && (to === "EXITED" || to === "FATAL" || to === "BACKOFF" || to === "STOPPED") ?
      ` (${last.code >= 0 ? `exit code ${last.code}` : signalName(last.signal)})` : "";
    (to === "FATAL" ? warn : info)(`${name}: ${from} -> ${to}${exit}`);
    if (to === "STOPPING" && postStart && plan.postStart!.program === name) postStart.cancel();
    if (to !== "RUNNING" && to !== "STOPPING" && pid > 0) {
      probes.get(name)?.();
      probes.delete(name);
      if (paths) clearRunning(paths, pid);
    }
  }

  function onDatagram(name: string, data: Uint8Array, from: string | undefined): void {
    const command = parseCommand(data);
    if (command === undefined) {
      if (logLevel() >= 2) debug(`${name}: ignored a datagram of ${data.length} bytes`);
      return;
    }
    debug(`${name}: ${command}${from ? ` from ${from}` : ""}`);
    if (command === "STATUS") {
      if (from) void sockets.get(name)?.sendTo(from, statusOf(name));
      return;
    }
    if (command === "STOP" && postStart && plan.postStart!.program === name) postStart.cancel();
    submit({ type: "command", name, command });
  }

  function statusOf(name: string): Uint8Array {
    const s = supervisor.status.get(name)!;
    const paths = controls.get(name)!;
    return encodeStatus({
      job: paths.job, process: paths.process, state: s.state, pid: s.pid, since: s.since,
      restarts: s.restarts, lastExit: s.lastExit ? codeOf(s.lastExit) : null,
    });
  }

  function forwardToAll(signo: number): void {
    for (const s of supervisor.status.values()) if (s.pid) signalGroup(s.pid, signo);
  }

  async function reload(): Promise<void> {
    let next;
    try {
      next = plan.reload!();
    } catch (err) {
      warn(`SIGHUP: config not reloaded, keeping the running one: ${(err as Error).message}`);
      return;
    }
    for (const [name, socket] of sockets) {
      if (!next.controls.has(name) || next.controls.get(name)!.socket !== controls.get(name)!.socket) {
        socket.close();
        sockets.delete(name);
      }
    }
    for (const [name, paths] of next.controls) {
      controls.set(name, paths);
      if (!sockets.has(name)) await openSocket(name, paths).catch((err) => warn(`SIGHUP: ${(err as Error).message}`));
    }
    info(`SIGHUP: config reloaded (${next.programs.length} programs)`);
    perform(supervisor.reconfigure(next.programs, Date.now()));
  }

  function onSignal(signo: number): void {
    if (signo === SIGHUP && plan.reload) {
      void reload();
    } else if (signo === SIGUSR2 && plan.reload) {
      reopenLogFiles(os); // supervisord's SIGUSR2: reopen the log files
    } else if (signo !== SIGTERM && signo !== SIGINT) {
      pid1.dispatch({ type: "signal", signo });
    } else if (supervisor.phase === "running") {
      info(`${signalName(signo)}: stopping all programs`);
      submit({ type: "shutdown" });
    } else {
      info(`${signalName(signo)} again: killing all programs now`);
      forwardToAll(SIGKILL);
    }
  }

  perform(supervisor.start(Date.now()));
  leaveStartDirectory(os);
  pid1.reaper.reapNow();
}
