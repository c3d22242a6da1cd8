// What corral tells a service manager over sd_notify(3) in config mode, pure: READY=1 once
// every autostart program is RUNNING and its ready= probe passed (what `corral ctl ready`
// answers), a STATUS= line whenever the count changes, STOPPING=1 once shutdown begins.

/** One program as the notifier reads it. */
export interface NotifyView {
  name: string;
  autostart: boolean;
  /** supervisord's state name (RUNNING, STARTING, …). */
  state: string;
  /** RUNNING and its ready= probe passed (or it has none). */
  ready: boolean;
}

/** What the manager has been told so far. */
export interface NotifyState {
  ready: boolean;
  stopping: boolean;
  status: string;
}

/** Nothing told yet. */
export const NOTHING_TOLD: NotifyState = { ready: false, stopping: false, status: "" };

/**
 * The STATUS= text for `programs`: how many run, and while not every autostart one is ready
 * the first that is not, with its state.
 * @example statusLine([{ name: "web", autostart: true, state: "STARTING", ready: false }]) // "0/1 running; waiting for web (STARTING)"
 */
export function statusLine(programs: readonly NotifyView[]): string {
  const running = programs.filter((p) => p.state === "RUNNING").length;
  const waiting = programs.find((p) => p.autostart && !p.ready);
  const why = waiting?.state === "RUNNING" ? "not ready yet" : waiting?.state;
  return `${running}/${programs.length} running${waiting ? `; waiting for ${waiting.name} (${why})` : ""}`;
}

/**
 * The next datagram to send (undefined: nothing changed) and what will then have been told.
 * `mainPid` goes with READY=1 when corral is not the process the manager started itself.
 * @example nextNotify(NOTHING_TOLD, [{ name: "web", autostart: true, state: "RUNNING", ready: true }], false) // [{ ready: true, stopping: false, status: "1/1 running" }, "READY=1\nSTATUS=1/1 running"]
 */
export function nextNotify(told: NotifyState, programs: readonly NotifyView[], stopping: boolean, mainPid?: number): [NotifyState, string | undefined] {
  if (told.stopping) return [told, undefined];
  if (stopping) return [{ ...told, stopping: true, status: "stopping" }, "STOPPING=1\nSTATUS=stopping"];
  const lines: string[] = [];
  const ready = told.ready || programs.every((p) => !p.autostart || p.ready);
  if (ready && !told.ready) lines.push("READY=1", ...(mainPid === undefined ? [] : [`MAINPID=${mainPid}`]));
  const status = statusLine(programs);
  if (status !== told.status) lines.push(`STATUS=${status}`);
  return [{ ready, stopping: false, status }, lines.length ? lines.join("\n") : undefined];
}
