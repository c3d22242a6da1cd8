// The Node.js implementation of the seam: libuv signal handles plus corral.node.
import { basename } from "node:path";
import { signalName } from "./signals.ts";
import { loadAddon, type Native } from "./native.ts";
import type { ChildExit, Os, SpawnSpec } from "./types.ts";

/** Builds the Node seam; the addon is loaded once, here. */
export function nodeOs(): Os {
  const native = loadAddon<Native>("corral.node");
  return {
    runtime: "node",
    pid: process.pid,
    args: process.argv.slice(2),
    invokedAs: basename(process.argv[1] ?? "corral").replace(/\.[cm]?js$/, ""),
    env: process.env,
    onSignals(signals, handler) {
      for (const signo of signals) {
        process.on(signalName(signo) as NodeJS.Signals, () => handler(signo));
      }
    },
    forwardRealtime: (target, rewrites) => void native.forwardRealtime(target, [...rewrites].flat()),
    ignoreSignal: (signo) => void native.ignoreSignal(signo),
    spawn: (spec: SpawnSpec) => native.spawn(spec.file, spec.argv, spec.env, spec),
    reap() {
      const flat = native.reap();
      const exits: ChildExit[] = [];
      for (let i = 0; i + 2 < flat.length; i += 3) {
        exits.push({ pid: flat[i]!, code: flat[i + 1]!, signal: flat[i + 2]! });
      }
      return { exits, remaining: flat[flat.length - 1] === 1 };
    },
    kill: (pid, signo) => native.kill(pid, signo),
    setSubreaper: () => native.setSubreaper(),
    isatty: (fd) => native.isatty(fd),
    lockFile: (path) => native.lockFile(path),
    closeFd: (fd) => void native.closeFd(fd),
    writeSome: (fd, data) => native.writeSome(fd, data),
    setNonBlocking: (fd, on) => native.setNonBlocking(fd, on),
    exit: (code) => process.exit(code),
  };
}
