// The `.running` marker and the bpm pidfile: written while a process runs, removed
// only by the instance that wrote them (an old instance dying late never removes a new one's).
import { dirname } from "node:path";
import type { Os } from "../os/types.ts";
import { writeAtomically } from "../pidfile/write.ts";
import type { ControlPaths } from "./paths.ts";

function writeFile(os: Os, path: string, text: string): void {
  os.makeDirectory(dirname(path));
  writeAtomically(os, path, text);
}

function removeIfOwned(os: Os, path: string, pid: number): void {
  if (os.readText(path)?.trim() === String(pid)) os.removeFile(path);
}

/**
 * Marks JOB/PROC as running with `pid`: the `.running` file and the pidfile both hold it.
 * @example markRunning(os, controlPaths("/var/vcap", "web", "nginx"), 1234)
 */
export function markRunning(os: Os, paths: ControlPaths, pid: number): void {
  writeFile(os, paths.pidfile, `${pid}\n`);
  writeFile(os, paths.running, `${pid}\n`);
}

/**
 * Removes the files of the instance that ran as `pid`, if they are still its own.
 * @example clearRunning(os, controlPaths("/var/vcap", "web", "nginx"), 1234)
 */
export function clearRunning(os: Os, paths: ControlPaths, pid: number): void {
  removeIfOwned(os, paths.running, pid);
  removeIfOwned(os, paths.pidfile, pid);
}
