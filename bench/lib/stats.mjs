// Summaries of samples: the table shows medians, ranges and ratios.

/**
 * The median of `xs` (mean of the middle two for an even count); NaN for none.
 * @example median([3, 1, 2]) // 2
 */
export function median(xs) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The p-th percentile of `xs` by nearest rank (p99 of 200 samples is the 198th smallest); NaN for none.
 * @example percentile([1, 2, 3, 4], 50) // 2
 */
export function percentile(xs, p) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
}

/**
 * A number with about three significant digits, for a table cell.
 * @example fmt(12.3456) // "12.3"
 */
export function fmt(x) {
  if (!Number.isFinite(x)) return "—";
  const abs = Math.abs(x);
  return abs >= 100 ? x.toFixed(0) : abs >= 10 ? x.toFixed(1) : abs >= 1 ? x.toFixed(2) : x.toFixed(3);
}
