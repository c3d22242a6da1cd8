// Which program streams go through the native log pump, and in which format.
import type { LogTarget } from "../config/types.ts";
import type { LogFormat } from "../os/types.ts";

/** How corral writes a program's output: as it is (supervisord's way) or one JSON object per line. */
export type OutputFormat = "text" | "json";

/**
 * The pump format for a stream going to `target`, or undefined when the program writes its
 * target itself (no copy through corral): unprefixed text to corral's stdout/stderr, a file
 * that never rotates (maxBytes 0), and NONE. A stream whose output also becomes events
 * (`events`: *_events_enabled) is always read by the pump, its bytes left unchanged when
 * nothing else asks for a format (NONE: the pump reads it and writes it nowhere). So is a
 * stream to corral's stdout/stderr that keeps an in-memory tail (`tail`, logs/tails.ts).
 * @example routeFormat({ kind: "inherit", fd: 1 }, true, "text") // "prefix"
 * @example routeFormat({ kind: "file", path: "/var/log/a.log", maxBytes: 0, backups: 10 }, false, "text") // undefined
 * @example routeFormat({ kind: "inherit", fd: 1 }, false, "text", true) // "raw"
 * @example routeFormat({ kind: "inherit", fd: 1 }, false, "text", false, true) // "raw"
 */
export function routeFormat(target: LogTarget, prefix: boolean, format: OutputFormat, events = false, tail = false): LogFormat | undefined {
  if (target.kind === "null") return events ? "raw" : undefined;
  if (format === "json") return "json";
  if (target.kind === "inherit") return prefix ? "prefix" : events || tail ? "raw" : undefined;
  return target.maxBytes > 0 || events ? "raw" : undefined;
}

/**
 * Parses a log format (`log_format=` or `--log-format`); undefined when it is neither.
 * @example parseOutputFormat("json") // "json"
 */
export function parseOutputFormat(text: string): OutputFormat | undefined {
  return text === "text" || text === "json" ? text : undefined;
}
