// sd_notify(3) in config mode: corral tells the service manager (systemd Type=notify, podman
// run --sdnotify=container) through NOTIFY_SOCKET when its programs are ready, how many run,
// and when it stops. The rules are core/sd-notify.ts's; this file reads the machine after each
// event and sends.
import type { Os } from "../os/types.ts";
import { warn } from "../log.ts";
import { nextNotify, NOTHING_TOLD, type NotifyView } from "../core/sd-notify.ts";
import type { LoopHandle } from "./loop.ts";

/**
 * Tells the manager at `socket` (NOTIFY_SOCKET: a path, or @name in the abstract namespace)
 * what the loop's programs do, after every event; returns what sends STOPPING=1 at exit when
 * shutdown did not begin with a signal. A socket of another kind is warned about and unused.
 * @example const close = notifyManager(os, pid1, "/run/systemd/notify"); close();
 */
export function notifyManager(os: Os, loop: LoopHandle, socket: string): () => void {
  if (!socket.startsWith("/") && !socket.startsWith("@")) {
    warn(`NOTIFY_SOCKET=${socket}: expected a path or @name (corral speaks sd_notify over unix sockets only); not notifying`);
    return () => {};
  }
  // The manager started corral itself when corral is not PID 1 of a container: MAINPID says
  // so even when a wrapper (sh -c) started it.
  const mainPid = os.pid === 1 ? undefined : os.pid;
  let told = NOTHING_TOLD;
  let failed = false;
  const send = (message: string | undefined): void => {
    if (message === undefined) return;
    const r = os.notify(socket, message);
    if (r < 0 && !failed) warn(`NOTIFY_SOCKET=${socket}: cannot send (${os.errnoName(-r)}); the manager may wait for READY=1 in vain`);
    failed = r < 0;
  };
  const update = (stopping: boolean): void => {
    const views: NotifyView[] = loop.machine.programs().map(({ spec }) => {
      const status = loop.machine.statusOf(spec.name);
      return { name: spec.name, autostart: spec.autostart, state: status?.state ?? "STOPPED", ready: status?.ready ?? false };
    });
    const [next, message] = nextNotify(told, views, stopping, mainPid);
    told = next;
    send(message);
  };
  loop.observe(() => update(loop.machine.phase !== "running"));
  return () => update(true);
}
