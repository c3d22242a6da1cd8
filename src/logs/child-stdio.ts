// Swaps a program's inherited stdout/stderr for pipes of the log mux when it wants prefixes.
import type { ProgramSpec } from "../config/types.ts";
import type { Os } from "../os/types.ts";
import { warn } from "../log.ts";
import type { LogMux } from "./mux.ts";

/** Child descriptors 0..2 plus the pipe ends corral must close once the child has them. */
export interface ChildStdio {
  stdio: [number, number, number];
  release(): void;
}

/**
 * The stdio of `program` with each stream that goes to corral's own stdout/stderr piped
 * through `mux`; file and null targets stay direct (no copy, no prefix). redirect_stderr
 * puts stderr on the stdout pipe, so both keep their order.
 * @example const { stdio, release } = prefixedStdio(os, mux, program, [0, 1, 2]);
 */
export function prefixedStdio(os: Os, mux: LogMux, program: ProgramSpec, stdio: [number, number, number]): ChildStdio {
  const opened: number[] = [];
  const pipeFor = (stream: "stdout" | "stderr", direct: number): number => {
    const target = program[stream];
    if (target.kind !== "inherit") return direct;
    const fd = mux.open(program.name, target.fd);
    if (fd < 0) {
      warn(`${program.name}: ${stream} not prefixed (cannot make a pipe: errno ${-fd})`);
      return direct;
    }
    opened.push(fd);
    return fd;
  };
  const out = pipeFor("stdout", stdio[1]);
  const err = program.redirectStderr ? out : pipeFor("stderr", stdio[2]);
  return { stdio: [stdio[0], out, err], release: () => opened.forEach((fd) => os.closeFd(fd)) };
}
