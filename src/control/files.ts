// The `.running` marker and the bpm pidfile: written while a process runs, removed
// only by the instance that wrote them (an old instance dying late never removes a new one's).
import { mkdirSync, readFileSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { writeAtomically } from "../pidfile/write.ts";
import type { ControlPaths } from "./paths.ts";

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomically(path, text, process.pid);
}

function removeIfOwned(path: string, pid: number): void {
  try {
    if (readFileSync(path, "utf8").trim() === String(pid)) unlinkSync(path);
  } catch { /* already gone */ }
}

/**
 * Marks JOB/PROC as running with `pid`: the `.running` file and the pidfile both hold it.
 * @example markRunning(controlPaths("/var/vcap", "web", "nginx"), 1234)
 */
export function markRunning(paths: ControlPaths, pid: number): void {
  writeFile(paths.pidfile, `${pid}\n`);
  writeFile(paths.running, `${pid}\n`);
}

/**
 * Removes the files of the instance that ran as `pid`, if they are still its own.
 * @example clearRunning(controlPaths("/var/vcap", "web", "nginx"), 1234)
 */
export function clearRunning(paths: ControlPaths, pid: number): void {
  removeIfOwned(paths.running, pid);
  removeIfOwned(paths.pidfile, pid);
}
