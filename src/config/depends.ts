// depends_on= checked across the whole config: names must exist, cycles are errors.
import { ConfigError, where } from "./errors.ts";
import type { IniSection } from "./ini.ts";
import type { ProgramSpec } from "./types.ts";

/**
 * Resolves each spec's depends_on (program or process names) to process names and
 * rejects unknown names and cycles, naming the cycle (`a -> b -> a`).
 * @example resolveDependencies([spec], new Map([[spec.group, section]])) // web.dependsOn ["db"] → ["db_0", "db_1"] when db has numprocs=2
 */
export function resolveDependencies(specs: ProgramSpec[], sections: ReadonlyMap<string, IniSection>): ProgramSpec[] {
  const members = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  for (const s of specs) {
    members.set(s.group, [...(members.get(s.group) ?? []), s.name]);
    groupOf.set(s.name, s.group);
  }
  const fail = (group: string, message: string): never => {
    const section = sections.get(group)!;
    throw new ConfigError(`${where(section.file, section.entries.get("depends_on")!.line)}[${section.name}] depends_on: ${message}`);
  };
  const edges = new Map<string, string[]>();
  for (const s of specs) {
    edges.set(s.group, s.dependsOn.map((d) => (members.has(d) ? d : groupOf.get(d) ?? fail(s.group, `expected names of programs in this config, got ${JSON.stringify(d)}`))));
  }

  const done = new Set<string>();
  const path: string[] = [];
  const visit = (group: string): void => {
    const at = path.indexOf(group);
    if (at >= 0) fail(path[at]!, `expected no dependency cycle, got ${[...path.slice(at), group].join(" -> ")}`);
    if (done.has(group)) return;
    path.push(group);
    for (const next of edges.get(group)!) visit(next);
    path.pop();
    done.add(group);
  };
  for (const group of edges.keys()) visit(group);

  return specs.map((s) => ({ ...s, dependsOn: [...new Set(s.dependsOn.flatMap((d) => members.get(d) ?? [d]))] }));
}
