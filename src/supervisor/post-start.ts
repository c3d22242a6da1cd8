// container-run's post-start hook: once the main command runs, wait for an optional
// condition (polled), then run the post-start command. STOP cancels both.
import { SIGTERM } from "../os/signals.ts";
import type { Os, SpawnSpec } from "../os/types.ts";
import type { Reaper } from "../os/reaper.ts";
import { debug, info, warn } from "../log.ts";
import { codeOf } from "./supervisor.ts";

/** Poll interval of the condition and how long to keep trying (container-run's values). */
export const CONDITION_INTERVAL_MS = 3000;
export const CONDITION_LIMIT_MS = 15 * 60 * 1000;

/** The post-start command and its optional condition, as argv. */
export interface PostStartSpec {
  command: string[];
  condition?: string[];
}

/**
 * Runs post-start flows; `begin()` on every start of the main command, `cancel()` on STOP.
 * @example const hook = new PostStart(os, reaper, { command: ["register"], condition: ["test", "-f", "/tmp/ready"] }, envList(os.env)); hook.begin();
 */
export class PostStart {
  #generation = 0;
  #pid = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private os: Os, private reaper: Reaper, private spec: PostStartSpec, private env: string[]) {}

  /** Starts a new flow (cancelling any previous one). */
  begin(): void {
    this.cancel();
    const generation = ++this.#generation;
    const deadline = Date.now() + CONDITION_LIMIT_MS;
    const attempt = (): void => {
      if (generation !== this.#generation) return;
      if (!this.spec.condition) return this.#runCommand(generation);
      this.#run(this.spec.condition, (ok) => {
        if (generation !== this.#generation) return;
        if (ok) return this.#runCommand(generation);
        if (Date.now() >= deadline) return warn(`post-start condition did not succeed within ${CONDITION_LIMIT_MS / 60000} min; post-start skipped`);
        this.#timer = setTimeout(attempt, CONDITION_INTERVAL_MS);
      });
    };
    attempt();
  }

  /** Stops the flow; a running condition or post-start gets SIGTERM (to its group). */
  cancel(): void {
    this.#generation++;
    clearTimeout(this.#timer);
    if (this.#pid) this.os.kill(-this.#pid, SIGTERM);
  }

  /** Whether a condition or post-start process is running. */
  get running(): boolean {
    return this.#pid !== 0;
  }

  #runCommand(generation: number): void {
    info(`running post-start ${this.spec.command.join(" ")}`);
    this.#run(this.spec.command, (ok, code) => {
      if (generation === this.#generation) (ok ? debug : warn)(`post-start exited with code ${code}`);
    });
  }

  #run(argv: string[], done: (ok: boolean, code: number) => void): void {
    const spec: SpawnSpec = { file: argv[0]!, argv, env: this.env, newGroup: true };
    const pid = this.reaper.spawnWith(spec, (exit) => {
      this.#pid = 0;
      const code = codeOf(exit);
      done(code === 0, code);
    });
    if (pid < 0) {
      warn(`post-start: ${argv[0]}: cannot execute (errno ${-pid})`);
      return done(false, 127);
    }
    this.#pid = pid;
  }
}
