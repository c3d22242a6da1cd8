// The markdown report: machine facts and load, one table of medians and ratios, targets, methods.
import { fmt, median } from "./stats.mjs";
import { REFERENCE } from "./subjects.mjs";

const medianOf = (rows, measure, subject) =>
  median(rows.find((r) => r.measure === measure && r.subject === subject)?.samples ?? []);

function targetCell(row, rows) {
  if (!row.target) return "";
  const against = row.target.against ?? REFERENCE;
  const ratio = median(row.samples) / medianOf(rows, row.measure, against);
  return `≤ ${row.target.max}× ${against}: ${fmt(ratio)}× ${ratio <= row.target.max ? "✓" : "✗"}`;
}

/**
 * Renders rows ({ measure, subject, unit, samples, target? }) as a markdown table.
 * @example table([{ measure: "reap", subject: "tini", unit: "ms", samples: [1, 2, 3] }])
 */
export function table(rows) {
  const lines = [
    `| measure | subject | median | range | n | vs ${REFERENCE} | target |`,
    "| --- | --- | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const row of rows) {
    const m = median(row.samples);
    const ref = medianOf(rows, row.measure, REFERENCE);
    const finite = row.samples.filter(Number.isFinite);
    const range = finite.length ? `${fmt(Math.min(...finite))}–${fmt(Math.max(...finite))}` : "—";
    const ratio = Number.isFinite(ref) && ref > 0 ? `${fmt(m / ref)}×` : "—";
    lines.push(`| ${row.measure} | ${row.subject} | ${fmt(m)} ${row.unit} | ${range} | ${row.samples.length} | ${ratio} | ${targetCell(row, rows)} |`);
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
