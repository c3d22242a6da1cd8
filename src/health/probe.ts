// Health probes shared by `corral wait-until-healthy` and the supervisor's `ready=` key:
// one spelling, parsed once, run with a bound.
import { parseProbeWith, type Probe } from "../core/probe-spec.ts";
import { execProbe, type ProbeDeps } from "./exec-probe.ts";
import type { ProbeResult } from "./result.ts";
// One splitting rule in all of corral: supervisord's (Python shlex), as for command=.
import { splitCommand } from "../config/shlex.ts";

// Re-exported so that `ready=` needs this one module.
export type { ProbeDeps } from "./exec-probe.ts";
export type { ProbeResult } from "./result.ts";
export type { Probe } from "../core/probe-spec.ts";

/**
 * Parses a probe (see parseProbeWith), splitting exec: commands as command= is split.
 * @example parseProbe("tcp:127.0.0.1:5432") // { kind: "tcp", host: "127.0.0.1", port: 5432 }
 */
export function parseProbe(text: string): Probe {
  return parseProbeWith(text, splitCommand);
}

/**
 * Runs one probe, bounded by `timeoutMs`, and says why it failed. The http and tcp probes
 * (node:http, https, net) are loaded on first use, so a config without them never pays.
 * @example (await checkProbe(parseProbe("tcp:localhost:80"), deps, 1000)).detail // "connection failed (ECONNREFUSED)"
 */
export async function checkProbe(probe: Probe, deps: ProbeDeps, timeoutMs: number): Promise<ProbeResult> {
  switch (probe.kind) {
    case "http":
      return (await import("./http-probe.ts")).httpProbe(probe.url, timeoutMs);
    case "tcp":
      return (await import("./tcp-probe.ts")).tcpProbe(probe.host, probe.port, timeoutMs);
    case "exec":
      return execProbe(probe.argv, deps, timeoutMs);
  }
}

/**
 * Whether one probe succeeds within `timeoutMs`: the yes/no the supervisor's `ready=` needs.
 * @example if (await runProbe(parseProbe("exec:pg_isready"), deps, 5000)) supervisor.handle({ type: "ready", name: "db" }, Date.now());
 */
export async function runProbe(probe: Probe, deps: ProbeDeps, timeoutMs: number): Promise<boolean> {
  return (await checkProbe(probe, deps, timeoutMs)).healthy;
}
