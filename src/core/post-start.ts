// container-run's post-start hook as a pure machine: once the main command runs, wait for an
// optional condition (polled), then run the post-start command. STOP cancels both. Runs are
// numbered, so the exit of a cancelled run changes nothing.
import { SIGTERM } from "../os/signals.ts";
import { execFailure } from "./exit-codes.ts";

/** Poll interval of the condition and how long to keep trying (container-run's values). */
export const CONDITION_INTERVAL_MS = 3000;
export const CONDITION_LIMIT_MS = 15 * 60 * 1000;

/** The post-start command and its optional condition, as argv. */
export interface PostStartSpec {
  command: string[];
  condition?: string[];
}

/** What happened to the hook. `run` numbers the flow a process belongs to. */
export type PostStartEvent =
  | { type: "begin" }
  | { type: "cancel" }
  | { type: "hook-started"; run: number; pid: number }
  | { type: "hook-exited"; run: number; pid: number; code: number }
  | { type: "hook-failed"; run: number; errno: number }
  | { type: "poll" };

/** What to do for it. */
export type PostStartAction =
  /** Start `argv` in its own process group; report hook-started/-exited (or hook-failed). */
  | { type: "run-hook"; run: number; argv: string[] }
  | { type: "signal-group"; pgid: number; signo: number }
  | { type: "arm-poll"; ms: number }
  | { type: "disarm-poll" }
  | { type: "log"; level: 0 | 1 | 2; message: string };

/**
 * The hook's state: `begin` on every start of the main command, `cancel` on STOP.
 * @example
 * const hook = new PostStartMachine({ command: ["register"], condition: ["test", "-f", "/tmp/ready"] });
 * hook.handle({ type: "begin" }, 0); // [{ type: "run-hook", run: 1, argv: ["test", "-f", "/tmp/ready"] }]
 */
export class PostStartMachine {
  readonly #spec: PostStartSpec;
  #run = 0;
  #pid = 0;
  #stage: "idle" | "condition" | "waiting" | "command" = "idle";
  #deadline = 0;

  constructor(spec: PostStartSpec) {
    this.#spec = spec;
  }

  /**
   * Whether a condition or post-start process is running.
   * @example new PostStartMachine({ command: ["true"] }).running // false
   */
  get running(): boolean {
    return this.#pid !== 0;
  }

  /**
   * Applies one event at time `now` (ms) and returns what to do.
   * @example new PostStartMachine({ command: ["true"] }).handle({ type: "begin" }, 0) // runs `true`
   */
  handle(event: PostStartEvent, now: number): PostStartAction[] {
    switch (event.type) {
      case "begin": {
        const actions = this.#cancel(); // numbers the new flow
        this.#deadline = now + CONDITION_LIMIT_MS;
        return [...actions, ...(this.#spec.condition ? this.#check() : this.#command())];
      }
      case "cancel":
        return this.#cancel();
      case "hook-started":
        this.#pid = event.pid;
        return [];
      case "hook-exited":
        if (event.pid === this.#pid) this.#pid = 0;
        return event.run === this.#run ? this.#finished(event.code, now) : [];
      case "hook-failed": {
        if (event.run !== this.#run) return [];
        const argv = this.#stage === "condition" ? this.#spec.condition! : this.#spec.command;
        const failure = execFailure(argv[0]!, event.errno);
        return [{ type: "log", level: 0, message: `post-start: ${failure.message}` }, ...this.#finished(failure.code, now)];
      }
      case "poll":
        return this.#stage === "waiting" ? this.#check() : [];
    }
  }

  #cancel(): PostStartAction[] {
    this.#run++;
    const actions: PostStartAction[] = [];
    if (this.#stage === "waiting") actions.push({ type: "disarm-poll" });
    this.#stage = "idle";
    if (this.#pid) actions.push({ type: "signal-group", pgid: this.#pid, signo: SIGTERM });
    return actions;
  }

  #check(): PostStartAction[] {
    this.#stage = "condition";
    return [{ type: "run-hook", run: this.#run, argv: this.#spec.condition! }];
  }

  #command(): PostStartAction[] {
    this.#stage = "command";
    return [
      { type: "log", level: 1, message: `running post-start ${this.#spec.command.join(" ")}` },
      { type: "run-hook", run: this.#run, argv: this.#spec.command },
    ];
  }

  #finished(code: number, now: number): PostStartAction[] {
    if (this.#stage === "command") {
      this.#stage = "idle";
      return [{ type: "log", level: code === 0 ? 2 : 0, message: `post-start exited with code ${code}` }];
    }
    if (this.#stage !== "condition") return [];
    if (code === 0) return this.#command();
    if (now >= this.#deadline) {
      this.#stage = "idle";
      return [{ type: "log", level: 0, message: `post-start condition did not succeed within ${CONDITION_LIMIT_MS / 60000} min; post-start skipped` }];
    }
    this.#stage = "waiting";
    return [{ type: "arm-poll", ms: CONDITION_INTERVAL_MS }];
  }
}
