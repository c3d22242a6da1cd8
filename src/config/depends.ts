// depends_on= checked across the whole config: names must exist, cycles are errors.
import { ConfigError, where } from "./errors.ts";
import type { IniSection } from "./ini.ts";
import type { ProgramSpec } from "./types.ts";
import { processNameOf } from "./program.ts";

/**
 * Resolves each spec's depends_on (program, [group:x] or process names) to process names and
 * rejects unknown names and cycles, naming the cycle (`a -> b -> a`). `sections` holds the
 * [program:x] sections by program name, `groups` the programs of each [group:x].
 * @example resolveDependencies(specs, new Map([["db", section]])) // web.dependsOn ["db"] → ["db_0", "db_1"] when db has numprocs=2
 */
export function resolveDependencies(specs: ProgramSpec[], sections: ReadonlyMap<string, IniSection>,
  groups: ReadonlyMap<string, readonly string[]> = new Map()): ProgramSpec[] {
  const programOf = (s: ProgramSpec) => s.program ?? s.group;
  const members = new Map<string, string[]>();
  const owner = new Map<string, string>();
  const fullName = new Map<string, string>();
  for (const s of specs) {
    members.set(programOf(s), [...(members.get(programOf(s)) ?? []), s.name]);
    owner.set(s.name, programOf(s));
    // A process may be named as supervisorctl names it (GROUP:PROCESS) or by its process name alone.
    if (!owner.has(processNameOf(s))) {
      owner.set(processNameOf(s), programOf(s));
      fullName.set(processNameOf(s), s.name);
    }
  }
  const fail = (program: string, message: string): never => {
    const section = sections.get(program)!;
    throw new ConfigError(`${where(section.file, section.entries.get("depends_on")!.line)}[${section.name}] depends_on: ${message}`);
  };
  /** The programs a depends_on name stands for. */
  const programsOf = (from: string, d: string): string[] =>
    members.has(d) ? [d] : groups.get(d)?.filter((p) => members.has(p)) ??
      [owner.get(d) ?? fail(from, `expected names of programs, groups or processes in this config, got ${JSON.stringify(d)}`)];
  const edges = new Map<string, string[]>();
  for (const s of specs) edges.set(programOf(s), s.dependsOn.flatMap((d) => programsOf(programOf(s), d)));

  const done = new Set<string>();
  const path: string[] = [];
  const visit = (program: string): void => {
    const at = path.indexOf(program);
    if (at >= 0) fail(path[at]!, `expected no dependency cycle, got ${[...path.slice(at), program].join(" -> ")}`);
    if (done.has(program)) return;
    path.push(program);
    for (const next of edges.get(program)!) visit(next);
    path.pop();
    done.add(program);
  };
  for (const program of edges.keys()) visit(program);

  const processesOf = (d: string) => members.get(d) ?? groups.get(d)?.flatMap((p) => members.get(p) ?? []) ?? [fullName.get(d) ?? d];
  return specs.map((s) => ({ ...s, dependsOn: [...new Set(s.dependsOn.flatMap(processesOf))] }));
}
