// The PID-1 event loop: every signal and child exit becomes an event for the machine,
// and every action the machine returns is carried out here, in one place.
import { FORWARDED, SIGRTMAX, signalName } from "../os/signals.ts";
import type { Os } from "../os/types.ts";
import { EACCES, ENOENT, ESRCH } from "../os/types.ts";
import { debug, info, warn } from "../log.ts";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND } from "../cli/errors.ts";
import { descendants } from "./descendants.ts";
import { initialState, step, type InitAction, type InitEvent, type InitRules } from "./machine.ts";
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

/**
 * Runs `options.command` as the job of PID 1 until it and everything it left are gone,
 * then exits with its code. Signals collected since start-up arrive through `feed`.
 * @example runInit(os, feed, { command: ["sleep", "1"], ... })
 */
export function runInit(os: Os, feed: SignalFeed, options: InitOptions): void {
  if (os.pid !== 1 && os.setSubreaper() < 0) warn("not PID 1 and cannot become a subreaper: orphans will escape");
  const [file] = options.command as [string];
  const group = !options.singleChild;
  const pid = os.spawn({
    file,
    argv: options.command,
    env: envList(os.env),
    newGroup: group,
    foreground: group && os.isatty(0),
  });
  if (pid < 0) {
    const notFound = pid === -ENOENT;
    warn(`${file}: ${notFound ? "command not found" : pid === -EACCES ? "permission denied (not executable)" : `cannot execute (errno ${-pid})`}`);
    os.exit(notFound ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
  }
  info(`started ${options.command.join(" ")} as pid ${pid}${group ? " (own process group)" : ""}` +
    (options.rewrites.size ? `; rewrites: ${describeRewrites(options.rewrites)}` : ""));

  const rules: InitRules = { rewrites: options.rewrites, remapExit: options.remapExit, graceMs: options.graceMs };
  const target = group ? -pid : pid;
  os.forwardRealtime(target, new Map([...options.rewrites].filter(([from]) => from > 31 && from <= SIGRTMAX)));
  let state = initialState(pid);
  let graceTimer: ReturnType<typeof setTimeout> | undefined;

  const dispatch = (event: InitEvent): void => {
    const [next, actions] = step(state, event, rules);
    state = next;
    for (const action of actions) perform(action);
  };

  const perform = (action: InitAction): void => {
    switch (action.type) {
      case "forward":
        // The group may be gone while the leader is an unreaped zombie: fall back to the pid.
        if (os.kill(target, action.signo) === -ESRCH && group) os.kill(pid, action.signo);
        break;
      case "signal-all":
        os.forwardRealtime(0, new Map());
        signalEverything(os, action.signo);
        break;
      case "arm-grace":
        graceTimer = setTimeout(() => dispatch({ type: "grace-expired" }), action.ms);
        break;
      case "exit":
        clearTimeout(graceTimer);
        os.exit(action.code);
        break;
      case "log":
        (action.level === 0 ? warn : action.level === 1 ? info : debug)(action.message);
        break;
    }
  };

  const reapAll = (): void => {
    const { exits, remaining } = os.reap();
    for (const exit of exits) dispatch({ type: "exit", ...exit });
    if (!remaining) dispatch({ type: "no-children" });
  };

  // Signal listeners do not keep an event loop alive; PID 1 must stay until it decides to exit.
  setInterval(() => {}, 2 ** 30);
  feed.attach((signo) => {
    if (FORWARDED.includes(signo)) dispatch({ type: "signal", signo });
    else reapAll();
  });
  // The command may already have exited before SIGCHLD could be delivered to a listener.
  reapAll();
  debug(`signals forwarded: ${FORWARDED.map(signalName).join(" ")} and SIGRTMIN..SIGRTMAX`);
}
