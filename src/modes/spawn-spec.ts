// Turns a program into what the OS seam spawns: argv, environment, user, directory, stdio.
import type { LogTarget, ProgramSpec } from "../config/types.ts";
import type { Os, SpawnSpec } from "../os/types.ts";
import { envList, LISTEN_VARIABLES } from "../core/env.ts";
import type { PassedFds } from "./passed-fds.ts";

/** A spawn spec plus the descriptors to close once the child has them. */
export interface PreparedSpawn {
  spec: SpawnSpec;
  release(): void;
}

function openTarget(os: Os, target: LogTarget, opened: number[]): number {
  switch (target.kind) {
    case "inherit": return target.fd;
    case "null": { const fd = os.openFile("/dev/null", "w"); opened.push(fd); return fd; }
    case "file": { const fd = os.openFile(target.path, "a"); opened.push(fd); return fd; }
  }
}

/**
 * corral's environment as `program` inherits it: NOTIFY_SOCKET only with inherit=notify_socket
 * (no other program can send READY=1 for corral), socket activation's variables only with
 * inherit=listen_fds.
 * @example inheritedEnv(program, { NOTIFY_SOCKET: "/run/n.sock", PATH: "/bin" }) // { PATH: "/bin" } unless program inherits notify_socket
 */
export function inheritedEnv(program: ProgramSpec, env: Record<string, string | undefined>): Record<string, string | undefined> {
  const dropped = [...(program.inherit?.includes("notify_socket") ? [] : ["NOTIFY_SOCKET"]),
    ...(program.inherit?.includes("listen_fds") ? [] : LISTEN_VARIABLES)];
  if (!dropped.some((name) => env[name] !== undefined)) return env;
  const out = { ...env };
  for (const name of dropped) delete out[name];
  return out;
}

/**
 * Builds the spawn spec of `program` in corral's environment `env`. Output goes straight to
 * its targets (no copy through corral); stdin is `stdin`, or /dev/null when it is -1. A program
 * that inherits listen_fds gets `passFds`.
 * @example const { spec, release } = prepareSpawn(os, program, os.env); os.spawn(spec); release();
 */
export function prepareSpawn(os: Os, program: ProgramSpec, env: Record<string, string | undefined>, stdin = -1, passFds?: PassedFds): PreparedSpawn {
  const opened: number[] = [];
  const user = program.user ? { HOME: program.user.home, USER: program.user.name, LOGNAME: program.user.name } : {};
  const out = openTarget(os, program.stdout, opened);
  const err = program.redirectStderr ? out : openTarget(os, program.stderr, opened);
  let inFd = stdin;
  if (inFd < 0) {
    inFd = os.openFile("/dev/null", "r");
    opened.push(inFd);
  }
  const spec: SpawnSpec = {
    file: program.command[0]!,
    argv: program.command,
    env: envList({ ...inheritedEnv(program, env), ...user, ...program.environment }),
    newGroup: true,
    stdio: [inFd, out, err],
  };
  if (passFds && program.inherit?.includes("listen_fds")) {
    spec.passFds = passFds.count;
    spec.listenPid = passFds.listenPid;
  }
  if (program.directory !== undefined) spec.cwd = program.directory;
  if (program.umask !== undefined) spec.umask = program.umask;
  if (program.user) {
    spec.uid = program.user.uid;
    spec.gid = program.user.gid;
    if (program.user.groups) spec.groups = program.user.groups;
  }
  return { spec, release: () => opened.forEach((fd) => os.closeFile(fd)) };
}
