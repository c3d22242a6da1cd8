// Health probes shared by `corral wait-until-healthy` and the supervisor's `ready=` key:
// one spelling, parsed once, run with a bound.
import { UsageError } from "../cli/errors.ts";
import { execProbe, type ProbeDeps } from "./exec-probe.ts";
import type { ProbeResult } from "./result.ts";
// One splitting rule in all of corral: supervisord's (Python shlex), as for command=.
import { splitCommand } from "../config/shlex.ts";

// Re-exported so that `ready=` needs this one module.
export type { ProbeDeps } from "./exec-probe.ts";
export type { ProbeResult } from "./result.ts";

/** A parsed probe: an HTTP(S) GET, a TCP connect, or a command. */
export type Probe =
  | { kind: "http"; url: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "exec"; argv: string[] };

/**
 * Parses `http://…`, `https://…`, `tcp:HOST:PORT` (`tcp:[::1]:80` for IPv6) or `exec:CMD ARGS`.
 * Throws a UsageError whose message names the text and what was expected; callers prefix
 * where it came from (a flag, a config file and line).
 * @example parseProbe("tcp:127.0.0.1:5432") // { kind: "tcp", host: "127.0.0.1", port: 5432 }
 */
export function parseProbe(text: string): Probe {
  const t = text.trim();
  if (/^https?:\/\//i.test(t)) {
    if (!URL.canParse(t)) throw new UsageError(`expected a valid http:// or https:// URL, got "${text}"`);
    return { kind: "http", url: new URL(t).href };
  }
  if (t.startsWith("tcp:")) {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(t.slice(4));
    const port = Number(m?.[3]);
    if (!m || port < 1 || port > 65535) throw new UsageError(`expected tcp:HOST:PORT with a port 1-65535, got "${text}"`);
    return { kind: "tcp", host: m[1] ?? m[2]!, port };
  }
  if (t.startsWith("exec:")) {
    let argv: string[];
    try {
      argv = splitCommand(t.slice(5));
    } catch (err) {
      throw new UsageError(`exec: ${(err as Error).message}`);
    }
    if (argv.length === 0) throw new UsageError(`expected exec:COMMAND ARGS with a command, got "${text}"`);
    return { kind: "exec", argv };
  }
  throw new UsageError(`expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "${text}"`);
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
 * @example if (await runProbe(probe, { runCommand }, 5000)) markReady();
 */
export async function runProbe(probe: Probe, deps: ProbeDeps, timeoutMs: number): Promise<boolean> {
  return (await checkProbe(probe, deps, timeoutMs)).healthy;
}
