// One owner for every child: corral spawns through here, SIGCHLD reaps through here,
// and each exit goes to whoever waits for that pid (orphans to `onOrphan`).
import type { ChildExit, Os, SpawnSpec } from "./types.ts";

/**
 * Waits on children by pid; the only caller of `os.reap()`.
 * @example const reaper = new Reaper(os);
 * os.onSignals([SIGCHLD], () => reaper.reapNow());
 * const child = reaper.spawn({ file: "true", argv: ["true"], env: [] });
 */
export class Reaper {
  #os: Os;
  #waiting = new Map<number, (exit: ChildExit) => void>();
  /** Called for exits nobody waits for (adopted orphans). */
  onOrphan: (exit: ChildExit) => void = () => {};
  /** Called after a reap pass that found corral has no children left. */
  onEmpty: () => void = () => {};
  /** Called at the end of every reap pass (after the exits above were delivered). */
  onPass: () => void = () => {};

  constructor(os: Os) {
    this.#os = os;
  }

  /**
   * Starts a process; `exited` resolves with its status. Returns -errno when exec failed.
   * @example const r = reaper.spawn({ file: "true", argv: ["true"], env: [] });
   */
  spawn(spec: SpawnSpec): { pid: number; exited: Promise<ChildExit> } | { errno: number } {
    const pid = this.#os.spawn(spec);
    if (pid < 0) return { errno: -pid };
    return { pid, exited: new Promise((resolve) => this.#waiting.set(pid, resolve)) };
  }

  /** Like spawn, but calls `onExit` synchronously from the reap pass (for state machines). */
  spawnWith(spec: SpawnSpec, onExit: (exit: ChildExit) => void): number {
    const pid = this.#os.spawn(spec);
    if (pid > 0) this.#waiting.set(pid, onExit);
    return pid;
  }

  /** Reaps every exited child; call on SIGCHLD (and once after start-up). */
  reapNow(): void {
    const { exits, remaining } = this.#os.reap();
    for (const exit of exits) {
      const waiter = this.#waiting.get(exit.pid);
      if (waiter) {
        this.#waiting.delete(exit.pid);
        waiter(exit);
      } else {
        this.onOrphan(exit);
      }
    }
    this.onPass();
    if (!remaining) this.onEmpty();
  }
}
