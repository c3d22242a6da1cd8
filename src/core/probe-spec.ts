// The spelling of a health probe (ready= and wait-until-healthy): parsed once, pure.
import { UsageError } from "./errors.ts";

/** A parsed probe: an HTTP(S) GET, a TCP connect, or a command. */
export type Probe =
  | { kind: "http"; url: string }
  | { kind: "tcp"; host: string; port: number }
  | { kind: "exec"; argv: string[] };

/**
 * Parses `http://…`, `https://…`, `tcp:HOST:PORT` (`tcp:[::1]:80` for IPv6) or `exec:CMD ARGS`.
 * Throws a UsageError whose message names the text and what was expected; callers prefix
 * where it came from (a flag, a config file and line).
 * The words of exec: are split by `splitWords` (config's shlex rule, passed in: core imports no config).
 * @example parseProbeWith("tcp:127.0.0.1:5432", (t) => t.split(" ")) // { kind: "tcp", host: "127.0.0.1", port: 5432 }
 */
export function parseProbeWith(text: string, splitWords: (text: string) => string[]): Probe {
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
      argv = splitWords(t.slice(5));
    } catch (err) {
      throw new UsageError(`exec: ${(err as Error).message}`);
    }
    if (argv.length === 0) throw new UsageError(`expected exec:COMMAND ARGS with a command, got "${text}"`);
    return { kind: "exec", argv };
  }
  throw new UsageError(`expected http://…, https://…, tcp:HOST:PORT or exec:COMMAND ARGS, got "${text}"`);
}
