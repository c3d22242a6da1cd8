// Checks that every `@example` in src/ is real code that type-checks, and that every export
// that should have one has one. Fails (exit 1) naming src/FILE:LINE of each broken or missing example.
//
// Usage: node build/check-examples.mjs      (`npm run check:examples`; `npm test` runs it first)
//
// How: for each module of src/ with examples, .cache/examples/<module>.examples.ts imports the
// module's exports and holds each example as the body of its own async function, so examples
// may `await` and are type-checked but never run. One `tsc --noEmit -p` over those files and the
// project's tsconfig options checks them all (about 2 s on an idle machine; incremental, so
// later runs re-check only what changed); errors are mapped back to the doc comment's line.
//
// What an example may use, without importing it:
//   - every export of its own module;
//   - any export of another module of src/, by name, when only one module exports that name;
//   - the fixtures below (FIXTURES), declared as ambient constants of the given types: the
//     things a caller already has at hand (`os`, `env`, a `spec`, a `pid1`, …). A member's
//     example uses the instance by the name FIXTURES gives its class (`writer.send(batch)`).
// The text after `// ` on a line is a comment, as usual: write the result there
// (`backoffMs(3) // 4000`). Nothing else is special: pseudo-code (`...`, `{ ..., x }`) fails.
//
// Which exports need an example: functions and classes (also a const holding a function), as in
// Deno's std. Interfaces, type aliases and other constants (numbers, strings, tables: their doc
// comment says what they are) need a doc comment only; one doc comment may cover a run of
// constants on consecutive lines. Examples on class and interface members are checked too.
// Type names in FIXTURES are looked up among the exports of src/, so modules may move freely.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** name -> type of the ambient fixtures examples may use (types named by their export name). */
const FIXTURES = {
  os: "Os",
  env: "Record<string, string | undefined>",
  feed: "SignalFeed",
  reaper: "Reaper",
  pid1: "LoopHandle",
  machine: "Machine",
  rules: "InitRules",
  spec: "ProgramSpec",
  program: "ProgramSpec",
  section: "IniSection",
  flags: "Flags",
  plan: "SupervisorPlan",
  supervisor: "Supervisor",
  mux: "LogMux",
  writer: "OutputWriter",
  queue: "OutputQueue",
  splitter: "LineSplitter",
  stream: "PrefixedStream",
  deps: "ProbeDeps",
  fd: "number",
  chunk: "Uint8Array",
  line: "Uint8Array",
  batch: "Uint8Array",
  path: "string",
  config: "Config",
  ctx: "ProgramContext",
  names: "Names",
  pool: "ListenerPool",
  specs: "ProgramSpec[]",
  port: "ControlPort",
  logs: "LogFiles",
};

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(root, "src");
const OUT = join(root, ".cache", "examples");
const rel = (f) => relative(root, f).split(sep).join("/");
const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []);

/** Whether a `const` initializer is a function, which needs an example like any function. */
const isFunction = (init) => !!init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init));

const modules = [];
const exporters = new Map(); // export name -> files exporting it
const missing = [];
for (const file of walk(SRC).sort()) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lineOf = (pos) => source.getLineAndCharacterOfPosition(pos).line + 1;
  const exports = [];
  const reexports = [];
  const examples = [];
  const collect = (node) => {
    for (const tag of ts.getJSDocTags(node)) {
      if (tag.tagName.text !== "example") continue;
      const body = typeof tag.comment === "string" ? tag.comment : ts.getTextOfJSDocComment(tag.comment) ?? "";
      // The text starts right after "@example", on that line or the next one.
      const after = text.slice(tag.tagName.end).match(/^[ \t]*(\r?\n)?/);
      examples.push({ line: lineOf(tag.tagName.end) + (after?.[1] ? 1 : 0), code: body });
    }
  };
  const exported = (node) => ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Export;
  const hasExample = (node) => ts.getJSDocTags(node).some((t) => t.tagName.text === "example");
  const hasDoc = (node) => ts.getJSDocCommentsAndTags(node).length > 0;
  let documentedConst; // last line of the previous documented exported const
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) documentedConst = undefined;
    if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      // A re-export (`export type { X } from "./x.ts"`) is importable here but owned by its module.
      for (const e of statement.exportClause.elements) (statement.moduleSpecifier ? reexports : exports).push(e.name.text);
      continue;
    }
    if (!(ts.canHaveModifiers(statement) && exported(statement))) continue;
    const where = `${rel(file)}:${lineOf(statement.getStart(source))}`;
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      const name = statement.name?.text ?? "default";
      exports.push(name);
      collect(statement);
      if (!hasExample(statement)) missing.push(`${where}: ${ts.isClassDeclaration(statement) ? "class" : "function"} ${name} has no @example`);
      if (ts.isClassDeclaration(statement)) for (const member of statement.members) collect(member);
    } else if (ts.isVariableStatement(statement)) {
      // One doc comment may cover a run of constants on consecutive lines (errno values, a pair of bounds).
      const inRun = documentedConst !== undefined && lineOf(statement.getStart(source)) === documentedConst + 1;
      for (const d of statement.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        exports.push(d.name.text);
        if (isFunction(d.initializer) && !hasExample(statement)) missing.push(`${where}: const ${d.name.text} has no @example`);
      }
      const names = statement.declarationList.declarations.map((d) => d.name.getText(source)).join(", ");
      if (!hasDoc(statement) && !inRun) missing.push(`${where}: const ${names} has no doc comment`);
      documentedConst = hasDoc(statement) || inRun ? lineOf(statement.getEnd()) : undefined;
      collect(statement);
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) {
      exports.push(statement.name.text);
      collect(statement);
      if (ts.isInterfaceDeclaration(statement)) for (const member of statement.members) collect(member);
      if (!hasDoc(statement)) missing.push(`${where}: ${statement.name.text} has no doc comment`);
    }
  }
  for (const name of exports) exporters.set(name, [...(exporters.get(name) ?? []), file]);
  modules.push({ file, exports: [...exports, ...reexports], examples });
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const importPath = (from, file) => {
  const p = relative(dirname(from), file).split(sep).join("/");
  return p.startsWith(".") ? p : `./${p}`;
};
/** `import type { A, B } from "…"` lines for the exported names among `names`, grouped by module. */
function importsFor(into, names, own, asType) {
  const byFile = new Map();
  for (const name of names) {
    if (own.has(name)) continue;
    const files = exporters.get(name);
    if (files?.length !== 1) continue; // not an export, or ambiguous: tsc will say "cannot find name"
    byFile.set(files[0], [...(byFile.get(files[0]) ?? []), name]);
  }
  return [...byFile].map(([file, ns]) => `import ${asType ? "type " : ""}{ ${[...new Set(ns)].sort().join(", ")} } from "${importPath(into, file)}";`);
}
const words = (text) => new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);

// The fixtures, as ambient constants.
const prelude = join(OUT, "prelude.ts");
const fixtureTypes = words(Object.values(FIXTURES).join(" "));
const GLOBAL_TYPES = new Set(["Record", "string", "number", "boolean", "undefined", "Uint8Array"]);
for (const name of fixtureTypes) {
  const files = exporters.get(name) ?? [];
  if (GLOBAL_TYPES.has(name) || files.length === 1) continue;
  console.log(`check-examples: FIXTURES in build/check-examples.mjs: type ${name} is ${files.length ? `exported by ${files.length} modules (${files.map(rel).join(", ")})` : "not exported by any module of src/"}; expected exactly one`);
  process.exit(1);
}
writeFileSync(prelude, [
  "// Generated by build/check-examples.mjs: the fixtures @example code may use.",
  ...importsFor(prelude, fixtureTypes, new Set(), true),
  "declare global {",
  ...Object.entries(FIXTURES).map(([name, type]) => `  const ${name}: ${type};`),
  "}",
  "export {};",
  "",
].join("\n"));

// One file per module with examples; `map` takes a generated line back to the doc comment.
const generated = [prelude];
const map = new Map(); // generated file -> [{ from, to, file, line }]
for (const { file, exports, examples } of modules) {
  if (!examples.length) continue;
  const out = join(OUT, `${relative(SRC, file).replace(/\.ts$/, "").split(sep).join("__")}.examples.ts`);
  const own = new Set(exports);
  const used = new Set(examples.flatMap((e) => [...words(e.code)]));
  const lines = [
    `// Generated by build/check-examples.mjs from ${rel(file)}: its @example code, type-checked, never run.`,
    ...(exports.length ? [`import { ${[...own].sort().join(", ")} } from "${importPath(out, file)}";`] : []),
    ...importsFor(out, used, own, false),
  ];
  const ranges = [];
  examples.forEach((e, i) => {
    lines.push(`export async function example${i}(): Promise<void> {`);
    const from = lines.length + 1;
    lines.push(...e.code.split("\n"));
    // The closing brace maps to the example's last line (an unclosed call is reported there).
    ranges.push({ from, to: lines.length + 1, file: rel(file), line: e.line, last: e.line + e.code.split("\n").length - 1 });
    lines.push("}");
  });
  writeFileSync(out, `${lines.join("\n")}\n`);
  generated.push(out);
  map.set(out, ranges);
}

// The project's compiler options, over the generated files only.
const tsconfig = join(OUT, "tsconfig.json");
writeFileSync(tsconfig, JSON.stringify({
  extends: relative(OUT, join(root, "tsconfig.json")),
  compilerOptions: {
    noEmit: true, allowUnreachableCode: true, noUnusedLocals: false, noUnusedParameters: false,
    // Kept outside OUT (which is rewritten each run): later runs re-check only what changed.
    incremental: true, tsBuildInfoFile: relative(OUT, join(root, ".cache", "examples.tsbuildinfo")),
  },
  include: [], files: generated.map((f) => relative(OUT, f)),
}, null, 2));
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const result = spawnSync(process.execPath, [tsc, "--noEmit", "--pretty", "false", "-p", tsconfig], { cwd: root, encoding: "utf8" });

const broken = [];
const brokenExamples = new Set();
const other = [];
for (const line of `${result.stdout}${result.stderr}`.split("\n")) {
  if (!line.trim()) continue;
  const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/.exec(line);
  const file = m && join(root, m[1]);
  const range = m && map.get(file)?.find((r) => Number(m[2]) >= r.from && Number(m[2]) <= r.to);
  if (range) brokenExamples.add(range);
  if (range) broken.push(`${range.file}:${Math.min(range.line + Number(m[2]) - range.from, range.last)}: @example does not type-check: ${m[4]}`);
  else if (/^\s/.test(line) && (broken.length || other.length)) (other.length ? other : broken).push(`    ${line.trim()}`);
  else other.push(line);
}
const count = modules.reduce((n, m) => n + m.examples.length, 0);
for (const b of new Set(broken)) console.log(b);
for (const o of other) console.log(`check-examples: tsc: ${o}`);
for (const m of missing) console.log(m);
if (broken.length || other.length || missing.length || result.status !== 0 && !broken.length) {
  console.log(`check-examples: ${brokenExamples.size} broken, ${missing.length} missing, of ${count} examples in ${generated.length - 1} modules (generated in ${rel(OUT)}/)`);
  process.exit(1);
}
console.log(`check-examples: ${count} examples in ${generated.length - 1} modules type-check; every export that needs one has one`);
