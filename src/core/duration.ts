// Durations as sipid (Go's time.ParseDuration) spells them: 20s, 1m, 500ms, 2m30s, 1.5h.
import { UsageError } from "./errors.ts";

const UNIT_MS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|h|m|s))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/**
 * Parses a duration with units into milliseconds; "0" alone needs none. Throws a UsageError
 * naming `flag` otherwise (a bare "20" is refused, as sipid refuses it).
 * @example parseDuration("--timeout", "2m30s") // 150000
 */
export function parseDuration(flag: string, text: string): number {
  const t = text.trim();
  if (t === "0") return 0;
  if (!WHOLE.test(t)) {
    throw new UsageError(`${flag}: expected a duration with a unit like 20s, 1m, 500ms or 2m30s, got "${text}"`);
  }
  let ms = 0;
  for (const [, n, unit] of t.matchAll(PART)) ms += Number(n) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

/**
 * Spells milliseconds the way parseDuration reads them, for messages.
 * @example formatDuration(150000) // "2m30s"
 */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  const parts: string[] = [];
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join("") || "0s";
}
