// An offline schema check for Kubernetes manifests: each YAML document becomes a typed
// TypeScript constant (kubernetes-types, generated from the Kubernetes 1.30 OpenAPI) and
// tsc checks it — required fields, value types, and, through excess-property checks,
// misspelled or unknown fields, which the API server would drop silently.
import ts from "typescript";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

/** The kinds the examples use, by `apiVersion/kind`, and their types. */
const TYPES: Readonly<Record<string, string>> = {
  "v1/Pod": 'import("kubernetes-types/core/v1").Pod',
  "v1/ConfigMap": 'import("kubernetes-types/core/v1").ConfigMap',
  "v1/Service": 'import("kubernetes-types/core/v1").Service',
  "apps/v1/Deployment": 'import("kubernetes-types/apps/v1").Deployment',
};

/** One parsed manifest document. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}

/**
 * The documents of a multi-document YAML text; YAML syntax errors throw, naming `file`.
 * @example parseManifests("pod.yaml", "kind: Pod\napiVersion: v1\n") // [{ kind: "Pod", apiVersion: "v1" }]
 */
export function parseManifests(file: string, text: string): Manifest[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length) throw new Error(`${file}: document ${i + 1}: ${doc.errors[0]!.message}`);
    return doc.toJS() as Manifest;
  });
}

/**
 * Type-checks manifests against the Kubernetes API; one line per problem, empty when all is well.
 * @example checkManifests([{ file: "pod.yaml", manifests }]) // ["pod.yaml: document 1 (Pod): ... 'volumeMount' does not exist in type 'Container' ..."]
 */
export function checkManifests(inputs: Array<{ file: string; manifests: Manifest[] }>): string[] {
  const problems: string[] = [];
  const origins: string[] = [];
  let source = "";
  for (const { file, manifests } of inputs) {
    manifests.forEach((m, i) => {
      const where = `${file}: document ${i + 1} (${m?.kind ?? "no kind"})`;
      const type = TYPES[`${m?.apiVersion}/${m?.kind}`];
      if (!type) { problems.push(`${where}: apiVersion/kind "${m?.apiVersion}/${m?.kind}" is not one the check knows`); return; }
      source += `export const m${origins.length}: ${type} = ${JSON.stringify(m, null, 2)};\n`;
      origins.push(where);
    });
  }
  if (!origins.length) return problems;

  // The generated file sits in the project so that `kubernetes-types` resolves from node_modules.
  const dir = mkdtempSync(join(process.cwd(), ".cache/manifest-check-"));
  try {
    const path = join(dir, "manifests.ts");
    writeFileSync(path, source);
    const program = ts.createProgram([path], { strict: true, noEmit: true, skipLibCheck: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10 });
    const file = program.getSourceFile(path)!;
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
      const at = d.file === file && d.start !== undefined ? originOf(file, d.start) : undefined;
      problems.push(`${at === undefined ? "manifests" : origins[at]}: ${message}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

/** Which generated constant (m0, m1, ...) encloses position `pos`. */
function originOf(file: ts.SourceFile, pos: number): number | undefined {
  const statement = file.statements.find((s) => s.pos <= pos && pos < s.end);
  const name = statement && ts.isVariableStatement(statement) ? statement.declarationList.declarations[0]!.name.getText(file) : "";
  return /^m\d+$/.test(name) ? Number(name.slice(1)) : undefined;
}
