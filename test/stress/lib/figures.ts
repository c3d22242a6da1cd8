// What every stress case reports: one figure per check, with its limit and verdict.

/** How hard a case pushes: "full" for `npm run stress`, "short" for CI. */
export type Scale = "full" | "short";

/** One measured figure of a case. */
export interface Figure {
  case: string;
  figure: string;
  limit: string;
  pass: boolean;
  /** A failure found and reported but not fixed yet: why. Shown in the table; CI's short run lets it pass. */
  open?: string;
}

/** A stress case: bounded, local-only, returns its figures (never throws for a failed limit). */
export interface StressCase {
  name: string;
  run(scale: Scale): Promise<Figure[]>;
}

/**
 * Picks the count for the scale.
 * @example sized("short", { full: 20_000, short: 2_000 }) // 2000
 */
export function sized<T>(scale: Scale, counts: { full: T; short: T }): T {
  return counts[scale];
}

/**
 * A figure checked against `limit`; `open` says why a failure is known and not fixed yet.
 * @example figure("orphan storm", "zombies left: 0", "0", zombies === 0)
 */
export function figure(name: string, text: string, limit: string, pass: boolean, open?: string): Figure {
  return pass || open === undefined ? { case: name, figure: text, limit, pass } : { case: name, figure: text, limit, pass, open };
}

/**
 * The figures as a markdown table (case, figure, limit, pass/fail).
 * @example console.log(figuresTable(figures))
 */
export function figuresTable(figures: readonly Figure[]): string {
  const verdict = (f: Figure) => (f.pass ? "pass" : f.open ? `**FAIL** (open: ${f.open})` : "**FAIL**");
  const rows = figures.map((f) => `| ${f.case} | ${f.figure} | ${f.limit} | ${verdict(f)} |`);
  return ["| case | figure | limit | result |", "|---|---|---|---|", ...rows].join("\n") + "\n";
}

/** Milliseconds as seconds with one decimal ("1.4 s"). */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Kibibytes as mebibytes with one decimal ("41.2 MiB"). */
export const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

/** A change in KiB as signed mebibytes ("+0.4 MiB"). */
export const signed = (kb: number) => `${kb >= 0 ? "+" : ""}${mib(kb)}`;
