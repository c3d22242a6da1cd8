// The PID-1 event loop: every signal and child exit becomes an event for the machine,
// and every action the machine returns is carried out here, in one place.
import { FORWARDED, SIGCHLD, SIGRTMAX, SIGSTOP, signalName } from "../os/signals.ts";
import type { Os } from "../os/types.ts";
import { EACCES, ENOENT, ESRCH } from "../os/types.ts";
import { Reaper } from "../os/reaper.ts";
import { debug, info, warn } from "../log.ts";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from "../cli/errors.ts";
import { descendants } from "./descendants.ts";
import { initialState, step, type InitAction, type InitEvent, type InitRules, type ModeRules } from "./machine.ts";
import { describeRewrites, type InitOptions } from "./options.ts";
import type { SignalFeed } from "./signal-feed.ts";

/** Environment as KEY=VALUE strings for spawn. */
export function envList(env: Record<string, string | undefined>): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/** Sends `signo` to every process left: all of the namespace as PID 1, else every descendant. */
export function signalEverything(os: Os, signo: number): void {
  if (os.pid === 1) {
    os.kill(-1, signo);
    return;
  }
  for (const pid of descendants(os.pid)) os.kill(pid, signo);
}

/** The one line naming a command that could not be executed, and corral's exit code for it. */
export function execFailure(file: string, errno: number): { message: string; code: number } {
  if (errno === ENOENT) return { message: `${file}: command not found`, code: EXIT_NOT_FOUND };
  if (errno === EACCES) return { message: `${file}: permission denied (not executable)`, code: EXIT_NOT_EXECUTABLE };
  return { message: `${file}: cannot execute (errno ${errno})`, code: EXIT_NOT_EXECUTABLE };
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

/** The PID-1 core shared by every mode: reaping, the shutdown sequence, the exit. */
export interface Pid1 {
  reaper: Reaper;
  dispatch(event: InitEvent): void;
  /** Runs `hook` just before corral exits (e.g. to write out buffered program output). */
  atExit(hook: () => void): void;
}

/**
 * Sets up PID-1 duties: subreaper when not PID 1, SIGCHLD -> reaper, orphans and
 * "no children left" -> the machine, and the actions it returns. `onSignal` receives
 * every other signal (the caller decides: forward, or hand to a supervisor).
 * @example const pid1 = startPid1(os, feed, rules, (signo) => os.kill(-pgid, signo));
 */
export function startPid1(os: Os, feed: SignalFeed, modeRules: ModeRules,
  forward: (signo: number) => void, onSignal?: (signo: number) => void): Pid1 {
  const rules: InitRules = { ...modeRules, stopsSelf: os.pid !== 1 };
  if (os.pid !== 1 && os.setSubreaper() < 0) warn("not PID 1 and cannot become a subreaper: orphans will escape");
  const reaper = new Reaper(os);
  let state = initialState();
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const exitHooks: Array<() => void> = [];

  const dispatch = (event: InitEvent): void => {
    const [next, actions] = step(state, event, rules);
    state = next;
    for (const action of actions) perform(action);
  };

  const perform = (action: InitAction): void => {
    switch (action.type) {
      case "forward":
        forward(action.signo);
        break;
      case "signal-all":
        os.forwardRealtime(0, new Map());
        signalEverything(os, action.signo);
        // With no children left no SIGCHLD will come: look now (outside this dispatch).
        setImmediate(() => reaper.reapNow());
        break;
      case "stop-self":
        os.kill(os.pid, SIGSTOP);
        break;
      case "arm-grace":
        graceTimer = setTimeout(() => dispatch({ type: "grace-expired" }), action.ms);
        break;
      case "exit":
        clearTimeout(graceTimer);
        for (const hook of exitHooks) {
          try { hook(); } catch (err) { warn(`internal error at exit (continuing): ${err}`); }
        }
        os.exit(action.code);
        break;
      case "log":
        (action.level === 0 ? warn : action.level === 1 ? info : debug)(action.message);
        break;
    }
  };

  reaper.onOrphan = (exit) => dispatch({ type: "orphan-reaped", pid: exit.pid });
  reaper.onEmpty = () => dispatch({ type: "no-children" });
  // Signal listeners do not keep an event loop alive; PID 1 stays until it decides to exit.
  setInterval(() => {}, 2 ** 30);
  feed.attach((signo) => {
    if (signo === SIGCHLD) reaper.reapNow();
    else if (onSignal && state.phase === "running") onSignal(signo);
    else dispatch({ type: "signal", signo });
  });
  return { reaper, dispatch, atExit: (hook) => void exitHooks.push(hook) };
}

/**
 * Runs `options.command` as the job of PID 1 until it and everything it left are gone,
 * then exits with its code. Signals collected since start-up arrive through `feed`.
 * @example runInit(os, feed, { command: ["sleep", "1"], ... })
 */
export function runInit(os: Os, feed: SignalFeed, options: InitOptions): void {
  const [file] = options.command as [string];
  const group = !options.singleChild;
  const rules = { rewrites: options.rewrites, remapExit: options.remapExit, graceMs: options.graceMs };
  let target = 0;
  const pid1 = startPid1(os, feed, rules, (signo) => {
    // The group may be gone while the leader is an unreaped zombie: fall back to the pid.
    if (os.kill(target, signo) === -ESRCH && group) os.kill(-target, signo);
  });
  const spec = { file, argv: options.command, env: envList(os.env), newGroup: group, foreground: group && os.isatty(0) };
  const pid = pid1.reaper.spawnWith(spec, (exit) => pid1.dispatch({ type: "job-done", ...exit }));
  if (pid < 0) {
    const failure = execFailure(file, -pid);
    warn(failure.message);
    os.exit(failure.code);
  }
  target = group ? -pid : pid;
  leaveStartDirectory(os);
  info(`started ${options.command.join(" ")} as pid ${pid}${group ? " (own process group)" : ""}` +
    (options.rewrites.size ? `; rewrites: ${describeRewrites(options.rewrites)}` : ""));
  os.forwardRealtime(target, new Map([...options.rewrites].filter(([from]) => from > 31 && from <= SIGRTMAX)));
  // The command may already have exited before SIGCHLD could be delivered to a listener.
  pid1.reaper.reapNow();
  debug(`signals forwarded: ${FORWARDED.map(signalName).join(" ")} and SIGRTMIN..SIGRTMAX`);
}
