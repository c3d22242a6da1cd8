// A container-run job under corral (PID 1 of a fresh namespace) in a throwaway base dir.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { corralPid, start, type Finished, type Running } from "../../helpers.ts";

/** Where a job's control socket and files are. */
export interface Job {
  base: string;
  sock: string;
  running: string;
  pidfile: string;
  corral: Running;
  /** Host pid of corral. */
  pid: number;
}

/**
 * Starts `corral ARGS --base-dir TMP --job-name stress --process-name main -- bash -c SCRIPT`
 * and waits until the main process runs (its pidfile exists).
 * @example const job = await startJob("sleep 1000"); ...; await stopJob(job);
 */
export async function startJob(script: string, args: string[] = [], env?: Record<string, string>): Promise<Job> {
  const base = mkdtempSync(join(tmpdir(), "corral-stress-"));
  const corral = start([...args, "--base-dir", base, "--job-name", "stress", "--process-name", "main", "--", "bash", "-c", script], env ? { env } : {});
  const job: Job = {
    base, corral, pid: await corralPid(corral),
    sock: join(base, "data/stress/main_containerrun.sock"),
    running: join(base, "data/stress/main_containerrun.running"),
    pidfile: join(base, "sys/run/bpm/stress/main.pid"),
  };
  const deadline = Date.now() + 10_000;
  while (!existsSync(job.pidfile)) {
    if (Date.now() > deadline || corral.child.exitCode !== null) throw new Error(`job did not start: ${corral.stderr()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return job;
}

/** The pid in a file, or undefined when the file is missing. */
export function pidIn(path: string): number | undefined {
  try {
    return Number(readFileSync(path, "utf8").trim());
  } catch {
    return undefined;
  }
}

/**
 * SIGTERMs corral, waits for its end and removes the base dir.
 * @example const { code, ms } = await stopJob(job); // ms: SIGTERM to exit
 */
export async function stopJob(job: Job): Promise<Finished & { stopMs: number }> {
  const t0 = Date.now();
  try { process.kill(job.pid, "SIGTERM"); } catch { /* already gone */ }
  const finished = await job.corral.done;
  rmSync(job.base, { recursive: true, force: true });
  return { ...finished, stopMs: Date.now() - t0 };
}
