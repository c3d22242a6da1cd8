// The markdown report: machine facts and load, one table of medians and ratios, targets, methods.
import { fmt, median, percentile } from "./stats.mjs";
import { REFERENCE } from "./subjects.mjs";

const medianOf = (rows, measure, subject) =>
  median(rows.find((r) => r.measure === measure && r.subject === subject)?.samples ?? []);

/** Fewer samples than this show no p99 (it would only repeat the range's top). */
const P99_MIN_SAMPLES = 100;

/**
 * A row's target is { max } or { min } on its median, in its own unit, or on the ratio of its
 * median to that of subject `against` in the same measure; { maxAbove, against } bounds the
 * difference of the two medians instead (memory above a runtime's own floor).
 */
function targetCell(row, rows) {
  const target = row.target;
  if (!target) return "";
  const { max, min, against, maxAbove } = target;
  if (maxAbove !== undefined) {
    const above = median(row.samples) - medianOf(rows, row.measure, against);
    return `≤ ${against} + ${maxAbove} ${row.unit}: +${fmt(above)} ${above <= maxAbove ? "✓" : "✗"}`;
  }
  const value = against ? median(row.samples) / medianOf(rows, row.measure, against) : median(row.samples);
  const ok = max !== undefined ? value <= max : value >= min;
  const bound = `${max !== undefined ? "≤" : "≥"} ${max ?? min}`;
  if (!against) return `${bound} ${row.unit} ${ok ? "✓" : "✗"}`;
  return `${bound}× ${against}: ${fmt(value)}× ${ok ? "✓" : "✗"}`;
}

/**
 * Renders rows ({ measure, subject, unit, samples, target? }) as a markdown table.
 * @example table([{ measure: "reap", subject: "tini", unit: "ms", samples: [1, 2, 3] }])
 */
export function table(rows) {
  const lines = [
    `| measure | subject | median | p99 | range | n | vs ${REFERENCE} | target |`,
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    const m = median(row.samples);
    const ref = medianOf(rows, row.measure, REFERENCE);
    const finite = row.samples.filter(Number.isFinite);
    const range = finite.length ? `${fmt(Math.min(...finite))}–${fmt(Math.max(...finite))}` : "—";
    const ratio = Number.isFinite(ref) && ref > 0 ? `${fmt(m / ref)}×` : "—";
    const p99 = row.samples.length >= P99_MIN_SAMPLES ? `${fmt(percentile(row.samples, 99))} ${row.unit}` : "—";
    lines.push(`| ${row.measure} | ${row.subject} | ${fmt(m)} ${row.unit} | ${p99} | ${range} | ${row.samples.length} | ${ratio} | ${targetCell(row, rows)} |`);
  }
  return lines.join("\n");
}

/**
 * The whole report as markdown.
 * @example report({ date, machine, loadBefore, loadAfter, rows, abouts, seconds })
 */
export function report({ date, machine, loadBefore, loadAfter, rows, abouts, seconds }) {
  return [
    "# corral benchmarks",
    "",
    `Run ${date} by \`node bench/run.mjs\` in ${seconds.toFixed(0)} s. ` +
      Object.entries(machine).map(([k, v]) => `${k}: ${v}`).join("; ") + ".",
    "",
    `Load before: \`${loadBefore}\``,
    `Load after: \`${loadAfter}\``,
    "",
    table(rows),
    "",
    "Every init runs as PID 1 of a fresh PID namespace (`unshare --pid --fork --mount-proc`) unless the",
    "measure says otherwise; NODE_EXTRA_CA_CERTS is unset for every measured process.",
    "",
    ...abouts.map((a) => `- ${a}`),
    "",
  ].join("\n");
}
