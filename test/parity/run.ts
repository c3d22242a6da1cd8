// Runs generated configs through supervisord's parser (one Python process per batch) and
// through corral's (a function given by the caller: the loader in-process, or the bundle's
// --check), compares them, and shrinks each mismatch to a small config that still shows it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GEN_ENV, GEN_GROUP, GEN_PASSWD, type GeneratedConfig } from "./config-gen.ts";
import { differences, supervisordViews, type View } from "./config-view.ts";
import { deviationsOf } from "./deviations.ts";

/** corral's view of a main file (its directory holds the rest). */
export type CorralSide = (main: string) => View;

/** supervisord's view as the corral side can see it (e.g. --check prints no password). */
export type Seen = (theirs: View) => View;

/** A config on which the two sides differ. */
export interface Mismatch {
  config: GeneratedConfig;
  causes: string[];
  /** The smallest main file found that still differs, and its causes. */
  shrunk?: { text: string; causes: string[] };
}

/** What a run found. */
export interface ParityReport {
  total: number;
  /** Configs supervisord accepts (their every field compared). */
  accepted: number;
  agreed: number;
  /** Differences on configs that exercise a row of the deviation table. */
  deviating: number;
  mismatches: Mismatch[];
}

/** A scratch directory per config, holding its files. */
function writeConfigs(root: string, configs: GeneratedConfig[]): string[] {
  return configs.map((c, i) => {
    const dir = join(root, String(i));
    for (const [rel, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return join(dir, c.main);
  });
}

/** Both sides over a batch, in one Python process; paths in messages made relative. */
function compareBatch(root: string, configs: GeneratedConfig[], corral: CorralSide, seen: Seen = (v) => v): { causes: string[]; accepted: boolean }[] {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const mains = writeConfigs(root, configs);
  writeFileSync(join(root, "passwd"), GEN_PASSWD);
  writeFileSync(join(root, "group"), GEN_GROUP);
  const theirs = supervisordViews(mains, GEN_ENV, join(root, "passwd"), join(root, "group")).map(seen);
  return mains.map((main, i) => {
    let ours: View;
    try {
      ours = corral(main);
    } catch (e) {
      ours = { error: `corral threw ${(e as Error).stack}` };
    }
    return { causes: differences(ours, theirs[i]!).map((d) => d.replaceAll(dirname(main), "DIR")), accepted: !("error" in theirs[i]!) };
  });
}

/** Drops sections, then lines, of the main file while the two sides still differ. */
function shrink(root: string, config: GeneratedConfig, corral: CorralSide, seen?: Seen, rounds = 12): { text: string; causes: string[] } {
  let lines = config.files[config.main]!.split("\n");
  let causes: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const starts = lines.flatMap((l, i) => (/^\s*\[/.test(l) ? [i] : []));
    const sections = starts.map((s, k) => [s, starts[k + 1] ?? lines.length] as const);
    const candidates = [
      ...sections.map(([a, b]) => [...lines.slice(0, a), ...lines.slice(b)]),
      ...lines.map((_, i) => [...lines.slice(0, i), ...lines.slice(i + 1)]),
    ].filter((c) => c.join("\n").trim());
    // A candidate that steps into a deviation-table row would shrink towards that row: skipped.
    const tries = candidates.map((c) => ({ ...config, files: { ...config.files, [config.main]: c.join("\n") } }))
      .filter((c) => deviationsOf(Object.values(c.files).join("\n")).length === 0);
    if (tries.length === 0) break;
    const results = compareBatch(root, tries, corral, seen);
    const k = results.findIndex((r) => r.causes.length > 0);
    if (k < 0) break;
    lines = tries[k]!.files[config.main]!.split("\n");
    causes = results[k]!.causes;
  }
  return { text: lines.join("\n"), causes };
}

/**
 * Compares `configs` on both sides; mismatches outside the deviation table are shrunk (at most `shrinkAtMost`).
 * @example const report = runParity(configs, (main) => corralView(loadConfig([main], GEN_ENV, options)))
 */
export function runParity(configs: GeneratedConfig[], corral: CorralSide, shrinkAtMost = 4, seen?: Seen): ParityReport {
  const root = mkdtempSync(join(tmpdir(), "corral-parity-"));
  try {
    const results = compareBatch(join(root, "batch"), configs, corral, seen);
    const report: ParityReport = { total: configs.length, accepted: 0, agreed: 0, deviating: 0, mismatches: [] };
    results.forEach(({ causes, accepted }, i) => {
      const config = configs[i]!;
      if (accepted) report.accepted++;
      if (causes.length === 0) return void report.agreed++;
      if (deviationsOf(Object.values(config.files).join("\n")).length) return void report.deviating++;
      report.mismatches.push({ config, causes });
    });
    report.mismatches.slice(0, shrinkAtMost).forEach((m) => (m.shrunk = shrink(join(root, "shrink"), m.config, corral, seen)));
    return report;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/**
 * The mismatches as text for a failing assertion: cause, the config's id, and the shrunk config.
 * @example console.log(describeMismatches(report))
 */
export function describeMismatches(report: ParityReport): string {
  return report.mismatches.map((m) => [
    `config ${m.config.id}:`, ...m.causes.map((c) => `  ${c}`),
    ...(m.shrunk ? [`  shrunk (${m.shrunk.causes.join("; ")}):`, ...m.shrunk.text.split("\n").map((l) => `    | ${l}`)] : []),
  ].join("\n")).join("\n");
}
