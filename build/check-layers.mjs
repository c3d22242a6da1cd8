// Checks how the folders of src/ import each other, and fails (exit 1) on:
//   cycles  an import cycle between top-level folders of src/: folder A imports folder B and
//           B imports A, directly or through other folders (files right in src/, like main.ts,
//           count as folders of their own). Cycles inside one folder are not this check's business.
//   seam    (with --seam) `process.`, `Deno.` or a `node:` import other than node:path in src/
//           outside src/os/: everything OS-facing goes through the Os seam (src/os/types.ts).
// Every violation is printed with the files (and for the seam, file:line) that make it.
//
// Usage: node build/check-layers.mjs [--seam] [--if-enabled]
//   --if-enabled  do nothing unless CORRAL_CHECK_LAYERS=1 (how `npm test` runs it until the
//                 folders are untangled; `npm run check:layers` always runs it).
//
// Why a script and not a package: the rule is "no cycle in the folder graph", about 100 lines
// on TypeScript's own import scanner (ts.preProcessFile; typescript is already a dev dependency),
// and it runs in under a second. dependency-cruiser 17.4.3 can express it (a `circular` rule with
// `scope: "folder"`) but adds 43 packages / 7.8 MB to node_modules and a config file to learn;
// madge 8.0.0 adds 141 packages / 51 MB and only reports file-level cycles (measured with
// `npm install --ignore-scripts` into an empty folder).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(root, "src");
/** The one folder that may talk to the OS directly. */
const SEAM_FOLDER = "os";
/** node: modules that are pure and so allowed anywhere. */
const PURE_NODE_MODULES = new Set(["node:path"]);

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== "--seam" && a !== "--if-enabled") {
    console.error(`check-layers: unknown option ${a} (expected --seam or --if-enabled)`);
    process.exit(2);
  }
}
if (args.includes("--if-enabled") && process.env.CORRAL_CHECK_LAYERS !== "1") process.exit(0);
const checkSeam = args.includes("--seam");

const walk = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
  e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|mts)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [join(dir, e.name)] : []);
const files = walk(SRC).sort();
const rel = (f) => relative(SRC, f).split(sep).join("/");
/** The top-level folder of a file in src/ ("supervisor"), or the file itself when it sits in src/. */
const folderOf = (f) => rel(f).split("/")[0];

/** folder -> folder -> [[importing file, imported file], ...] */
const edges = new Map();
const seam = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const lineOf = (pos) => text.slice(0, pos).split("\n").length;
  const from = folderOf(file);
  for (const { fileName, pos } of ts.preProcessFile(text, true, true).importedFiles) {
    if (checkSeam && fileName.startsWith("node:") && !PURE_NODE_MODULES.has(fileName) && from !== SEAM_FOLDER) {
      seam.push(`src/${rel(file)}:${lineOf(pos)}: imports ${fileName}`);
    }
    if (!fileName.startsWith(".")) continue;
    const target = resolve(dirname(file), fileName);
    if (!target.startsWith(SRC + sep)) continue;
    const to = folderOf(target);
    if (to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    const out = edges.get(from);
    if (!out.has(to)) out.set(to, []);
    out.get(to).push([rel(file), rel(target)]);
  }
  if (checkSeam && from !== SEAM_FOLDER) {
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) &&
        (node.expression.text === "process" || node.expression.text === "Deno") && !shadowed(node.expression)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        seam.push(`src/${rel(file)}:${line + 1}: uses ${node.expression.text}.${node.name.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
}

/** Whether `id` names a local binding (a variable or parameter called `process`), not the global. */
function shadowed(id) {
  for (let scope = id.parent; scope; scope = scope.parent) {
    let found = false;
    const look = (n) => {
      if (found || (n !== scope && (ts.isFunctionLike(n) || ts.isBlock(n)))) return;
      if ((ts.isVariableDeclaration(n) || ts.isParameter(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name) && n.name.text === id.text) found = true;
      else ts.forEachChild(n, look);
    };
    if (ts.isFunctionLike(scope) || ts.isBlock(scope) || ts.isSourceFile(scope)) {
      ts.forEachChild(scope, look);
      if (found) return true;
    }
  }
  return false;
}

// Strongly connected components of the folder graph (Tarjan): every component of more than one
// folder holds at least one cycle.
const folders = [...new Set(files.map(folderOf))].sort();
const index = new Map(), low = new Map(), stack = [], onStack = new Set(), components = [];
let counter = 0;
function connect(v) {
  index.set(v, counter); low.set(v, counter); counter++;
  stack.push(v); onStack.add(v);
  for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
    if (!index.has(w)) { connect(w); low.set(v, Math.min(low.get(v), low.get(w))); }
    else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) === index.get(v)) {
    const c = [];
    let w;
    do { w = stack.pop(); onStack.delete(w); c.push(w); } while (w !== v);
    if (c.length > 1) components.push(c.sort());
  }
}
for (const f of folders) if (!index.has(f)) connect(f);

const show = (pairs) => {
  const byFile = new Map();
  for (const [a, b] of pairs) byFile.set(a, [...(byFile.get(a) ?? []), b]);
  return [...byFile].map(([a, bs]) => `      ${a} imports ${[...new Set(bs)].join(", ")}`);
};
/** A shortest folder path from `a` to `b` inside `within`, e.g. ["cli", "health", "config"]. */
function path(a, b, within) {
  const previous = new Map([[a, undefined]]);
  for (const queue = [a]; queue.length;) {
    const v = queue.shift();
    if (v === b) break;
    for (const w of [...(edges.get(v)?.keys() ?? [])].sort()) {
      if (within.has(w) && !previous.has(w)) { previous.set(w, v); queue.push(w); }
    }
  }
  const out = [];
  for (let v = b; v !== undefined; v = previous.get(v)) out.unshift(v);
  return out;
}
// Two-way pairs first (the usual tangle), then each one-way import that a longer loop brings back.
const lines = [];
for (const c of components) {
  const inside = new Set(c);
  const pairs = [], oneWay = [];
  for (const a of c) {
    for (const [b, imports] of [...(edges.get(a) ?? [])].sort()) {
      if (!inside.has(b)) continue;
      const back = edges.get(b)?.get(a);
      if (back && a < b) pairs.push([`${a} <-> ${b}`, imports, back]);
      else if (!back) oneWay.push([`${a} -> ${b}, and back: ${path(b, a, inside).join(" -> ")}`, imports, []]);
    }
  }
  for (const [head, there, back] of [...pairs, ...oneWay]) lines.push(`  ${head}`, ...show(there), ...show(back));
}

let failed = false;
if (components.length) {
  failed = true;
  console.log(`check-layers: import cycles between folders of src/ (imports must point one way); tangled: ${components.map((c) => c.join(", ")).join("; ")}`);
  console.log(lines.join("\n"));
}
if (seam.length && checkSeam) {
  failed = true;
  console.log(`check-layers: ${seam.length} OS call${seam.length > 1 ? "s" : ""} outside src/${SEAM_FOLDER}/ (go through the Os seam in src/os/types.ts):`);
  console.log(seam.map((s) => `  ${s}`).join("\n"));
}
if (!failed) console.log(`check-layers: ${folders.length} folders of src/, no import cycle${checkSeam ? ", no OS call outside src/os/" : ""}`);
process.exit(failed ? 1 : 0);
