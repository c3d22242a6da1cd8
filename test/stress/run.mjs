// Bundles the stress driver (TypeScript) with esbuild and runs it; arguments pass through.
// Usage: npm run stress [-- --short] [-- CASE-NAME-PART...]
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const out = join(root, ".cache", `stress-${process.pid}`);
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(root, "test/stress/main.ts")], outfile: join(out, "main.mjs"), bundle: true, format: "esm",
  platform: "node", target: "node20", packages: "external", logLevel: "warning",
});
const child = spawn(process.execPath, [join(out, "main.mjs"), ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
child.on("close", (code) => {
  rmSync(out, { recursive: true, force: true });
  process.exit(code ?? 1);
});
