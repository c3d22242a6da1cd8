// The tables of README.md and docs/ that describe code, rendered from the code's own tables, and
// the check that every relative link in them resolves. `node build/docs.mjs` rewrites the
// generated blocks; test/unit/docs.test.ts fails when a block or a link is out of date.
//
// A generated block sits between `<!-- generated:NAME … -->` and `<!-- /generated -->`.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, EXIT_USAGE } from "../src/core/errors.ts";
import { CORRAL_KEYS, DEFAULTS, FCGI_KEYS, GROUP_KEYS, LISTENER_DEFAULTS, LISTENER_KEYS, NO_EFFECT_KEYS, SUPERVISORD_KEYS } from "../src/config/keys.ts";
import { envName, FLAGS } from "../src/modes/flags.ts";
import { signalName } from "../src/os/signals.ts";

/** The markdown files the docs check covers: README.md and everything in docs/. */
export function docFiles(root: string): string[] {
  const docs = join(root, "docs");
  return [join(root, "README.md"), ...(existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith(".md")).map((f) => join(docs, f)) : [])];
}

/** Every run-mode flag: option, environment variable, meaning (src/modes/flags.ts FLAGS). */
function flagsTable(): string {
  const rows = FLAGS.map((f) => {
    const option = `${f.short ? `-${f.short}, ` : ""}--${f.name}${f.arg ? ` ${f.arg}` : ""}`;
    const cell = (s: string) => s.replace(/\|/g, "\\|");
    return `| \`${cell(option)}\` | \`${envName(f)}\` | ${cell(f.help)} |`;
  });
  return ["| option | environment | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

/** corral's exit codes (src/core/errors.ts and the exit-code rules of src/core/exit-codes.ts). */
function exitCodesTable(): string {
  return [
    "| code | when |",
    "| --- | --- |",
    "| the command's code | the command (or a `critical=true` program) exited |",
    "| 128+N | it was killed by signal N (e.g. 143 for SIGTERM); `-e CODE` turns chosen codes into 0 |",
    "| 0 | container-run or config mode stopped by SIGTERM/SIGINT |",
    `| ${EXIT_NOT_EXECUTABLE} | the command exists but cannot be executed (one line on stderr naming it) |`,
    `| ${EXIT_NOT_FOUND} | the command was not found (one line on stderr naming it) |`,
    `| ${EXIT_USAGE} | usage error: bad flag or value, bad config (file:line), or a control socket another live instance holds |`,
    "| 1 | subcommands: the claim/kill/probe/socket operation failed |",
  ].join("\n");
}

const code = (keys: readonly string[]) => keys.map((k) => `\`${k}\``).join(", ");
/** A program key's name for a default of DEFAULTS (camelCase there); the log ones stand for both channels. */
const snake = (name: string) => ({ logfileMaxBytes: "*_logfile_maxbytes", logfileBackups: "*_logfile_backups" } as Record<string, string>)[name]
  ?? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const shown = (v: unknown, key: string): string =>
  key === "stopsignal" ? signalName(v as number).replace(/^SIG/, "")
    : key.endsWith("_maxbytes") ? `${(v as number) / (1024 * 1024)}MB`
    : Array.isArray(v) ? v.join(",") : String(v);

/** Every key corral reads, by section, and the program defaults (src/config/keys.ts). */
function configKeysTable(): string {
  const noEffect = Object.entries(NO_EFFECT_KEYS).map(([k, v]) => `\`${k}\`${v.note ? ` (${v.note})` : ""}`).join(", ");
  const defaults = Object.entries({ ...DEFAULTS, bufferSize: LISTENER_DEFAULTS.bufferSize })
    .map(([k, v]) => `\`${snake(k)}=${shown(v, snake(k))}\``).join(", ");
  return [
    "| section | keys |",
    "| --- | --- |",
    `| \`[program:x]\`, \`[eventlistener:x]\`, \`[fcgi-program:x]\` | ${code(SUPERVISORD_KEYS)} |`,
    `| \`[eventlistener:x]\`, besides | ${code(LISTENER_KEYS)} (listener pools start first: \`priority=${LISTENER_DEFAULTS.priority}\`) |`,
    `| \`[fcgi-program:x]\`, besides | ${code(FCGI_KEYS)} |`,
    `| \`[group:x]\` | ${code(GROUP_KEYS)} |`,
    `| corral's own, in \`[program:x]\` | ${code(CORRAL_KEYS)} ([config-mode.md](config-mode.md)) |`,
    `| accepted and checked, no effect | ${noEffect} |`,
    `| defaults (supervisord's) | ${defaults} |`,
  ].join("\n");
}

/** The generated blocks by name. */
export const GENERATED: Readonly<Record<string, () => string>> = { flags: flagsTable, "exit-codes": exitCodesTable, "config-keys": configKeysTable };

const BLOCK = /(<!-- generated:([a-z-]+)[^>]*-->\n)([\s\S]*?)(<!-- \/generated -->)/g;

/** `text` with every generated block rendered anew; unknown block names are left as they are. */
export function renderBlocks(text: string): string {
  return text.replace(BLOCK, (all, open: string, name: string, _body: string, close: string) =>
    GENERATED[name] ? `${open}${GENERATED[name]!()}\n${close}` : all);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** The anchors a markdown file's headings give (fenced code skipped). */
function anchors(text: string): Set<string> {
  const out = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const m = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n ? `${base}-${n}` : base);
  }
  return out;
}

/** Every relative link of `file` that does not resolve (missing file or anchor), as "FILE:LINE: target". */
export function brokenLinks(root: string, file: string): string[] {
  const text = readFileSync(file, "utf8");
  const broken: string[] = [];
  let fenced = false;
  text.split("\n").forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) return;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/i.test(target)) continue; // http:, https:, mailto:
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const dest = path ? join(dirname(file), path) : file;
      const where = `${relative(root, file)}:${i + 1}: ${target}`;
      if (!existsSync(dest)) { broken.push(`${where} (no such file)`); continue; }
      if (anchor && dest.endsWith(".md") && !anchors(readFileSync(dest, "utf8")).has(anchor)) broken.push(`${where} (no such heading)`);
    }
  });
  return broken;
}
