// Rewrites the generated tables of README.md and docs/ from the code's own tables
// (build/doc-tables.ts). Usage: node build/docs.mjs   (`npm run docs`)
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const code = (await esbuild.build({ entryPoints: [join(root, "build/doc-tables.ts")], bundle: true, format: "esm", platform: "node", write: false, logLevel: "warning" })).outputFiles[0].text;
const { docFiles, renderBlocks } = await import(`data:text/javascript,${encodeURIComponent(code)}`);
for (const file of docFiles(root)) {
  const text = readFileSync(file, "utf8");
  const next = renderBlocks(text);
  if (next !== text) {
    writeFileSync(file, next);
    console.log(`docs: rewrote ${file.slice(root.length + 1)}`);
  }
}
