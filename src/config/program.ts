// One [program:x] section → its ProgramSpecs (numprocs of them), with supervisord's defaults.
import { dirname, resolve } from "node:path";
import { BadValue, ConfigError, expected, where } from "./errors.ts";
import { expand, type Names } from "./expand.ts";
import { parseEnvironment } from "./environment.ts";
import type { IniSection } from "./ini.ts";
import { CORRAL_KEYS, DEFAULTS, isProgramKey, NO_EFFECT_KEYS } from "./keys.ts";
import { logTarget } from "./logfile.ts";
import { readyProbe } from "./ready.ts";
import { splitCommand } from "./shlex.ts";
import type { LogTarget, ProgramSpec } from "./types.ts";
import { lookupUser } from "./users.ts";
import * as v from "./values.ts";

/** What a section needs from outside itself. */
export interface ProgramContext {
  /** ENV_* names from corral's environment. */
  envNames: Names;
  hostname: string;
  /** /etc/passwd text, asked for only when a section has user=. */
  passwd: () => string;
  warn: (message: string) => void;
}

/** A command line split into argv; empty is an error. */
function commandLine(text: string): string[] {
  const argv = splitCommand(text);
  if (argv.length === 0) throw expected("a command line", text);
  return argv;
}

/**
 * Builds the processes of one [program:x] section. Values are expanded (%(ENV_X)s,
 * %(program_name)s, %(process_num)d, %(here)s, …) per process, then checked; anything
 * wrong is a ConfigError naming file, line, section and key. depends_on stays as written.
 * @example programSpecs(readIni("[program:a]\ncommand=true", "a.conf")[0], ctx)[0].command // ["true"]
 */
export function programSpecs(section: IniSection, program: string, ctx: ProgramContext): ProgramSpec[] {
  const { file, entries } = section;
  const head = `[${section.name}]`;
  const fail = (key: string, line: number, e: unknown): never => {
    if (e instanceof BadValue) throw new ConfigError(`${where(file, line)}${head}${key ? ` ${key}` : ""}: ${e.message}`);
    throw e;
  };
  for (const [key, entry] of entries) {
    if (!isProgramKey(key)) {
      throw new ConfigError(`${where(file, entry.line)}${head} ${key}: expected a supervisord program key or one of corral's (${CORRAL_KEYS.join(", ")}), got an unknown key`);
    }
  }
  const read = <T>(key: string, names: Names, parse: (text: string) => T, fallback: T): T => {
    const entry = entries.get(key);
    if (!entry) return fallback;
    try {
      return parse(expand(entry.value, names));
    } catch (e) {
      return fail(key, entry.line, e);
    }
  };

  let name: string;
  try {
    name = v.processName(program);
  } catch (e) {
    return fail("", section.line, e);
  }
  const base: Names = { ...ctx.envNames, here: dirname(resolve(file)), program_name: name, group_name: name, host_node_name: ctx.hostname };
  const numprocs = read("numprocs", base, v.positive, DEFAULTS.numprocs);
  const first = read("numprocs_start", base, v.nonNegative, DEFAULTS.numprocsStart);
  const nameEntry = entries.get("process_name");
  const nameText = nameEntry?.value ?? DEFAULTS.processName;
  if (numprocs > 1 && !nameText.includes("%(process_num)")) {
    const line = nameEntry?.line ?? entries.get("numprocs")!.line;
    fail("process_name", line, expected("%(process_num) in it when numprocs > 1", nameText));
  }

  const specs: ProgramSpec[] = [];
  for (let num = first; num < first + numprocs; num++) {
    const names: Names = { ...base, process_num: num, numprocs };
    const environment = read("environment", names, parseEnvironment, {});
    const all: Names = { ...names, ...Object.fromEntries(Object.entries(environment).map(([k, val]) => [`ENV_${k}`, val])) };
    for (const key of Object.keys(NO_EFFECT_KEYS)) {
      const { check, note } = NO_EFFECT_KEYS[key]!;
      if (read(key, all, check, undefined) && note) ctx.warn(`${where(file, entries.get(key)!.line)}${head} ${key}: no effect: ${note}`);
    }
    const log = (stream: "stdout" | "stderr", fd: 1 | 2): LogTarget => {
      const maxBytes = read(`${stream}_logfile_maxbytes`, all, v.byteSize, DEFAULTS.logfileMaxBytes);
      const backups = read(`${stream}_logfile_backups`, all, v.nonNegative, DEFAULTS.logfileBackups);
      const key = `${stream}_logfile`;
      const choice = read(key, all, (text) => logTarget(text, fd, maxBytes, backups), { target: { kind: "inherit", fd } as LogTarget });
      if (choice.note) ctx.warn(`${where(file, entries.get(key)!.line)}${head} ${key}: ${choice.note}`);
      return choice.target;
    };
    const redirectStderr = read("redirect_stderr", all, v.boolean, false);
    const stdout = log("stdout", 1);
    let stderr = log("stderr", 2);
    if (redirectStderr) {
      if (stderr.kind === "file") ctx.warn(`${where(file, entries.get("stderr_logfile")!.line)}${head} stderr_logfile: ignored: redirect_stderr=true sends stderr with stdout`);
      stderr = stdout;
    }
    const command = read("command", all, commandLine, undefined) ?? fail("command", section.line, new BadValue("expected a command line, got none"));
    const user = read("user", all, (text) => lookupUser(text, ctx.passwd()), undefined);
    const directory = read("directory", all, v.nonEmpty, undefined);
    const umask = read("umask", all, v.octal, undefined);
    const job = read("job", all, v.jobName, undefined);
    const ready = read("ready", all, readyProbe, undefined);
    const logPrefix = read("log_prefix", all, v.boolean, undefined);
    specs.push({
      name: read("process_name", all, v.processName, name),
      group: name,
      command,
      priority: read("priority", all, v.integer, DEFAULTS.priority),
      autostart: read("autostart", all, v.boolean, DEFAULTS.autostart),
      autorestart: read("autorestart", all, v.autoRestart, DEFAULTS.autorestart),
      startsecs: read("startsecs", all, v.nonNegative, DEFAULTS.startsecs),
      startretries: read("startretries", all, v.nonNegative, DEFAULTS.startretries),
      exitcodes: read("exitcodes", all, v.exitCodes, [...DEFAULTS.exitcodes]),
      stopsignal: read("stopsignal", all, v.signal, DEFAULTS.stopsignal),
      stopwaitsecs: read("stopwaitsecs", all, v.nonNegative, DEFAULTS.stopwaitsecs),
      ...(user && { user }),
      ...(directory !== undefined && { directory }),
      ...(umask !== undefined && { umask }),
      environment,
      redirectStderr,
      stdout,
      stderr,
      critical: read("critical", all, v.boolean, false),
      ...(job !== undefined && { job }),
      dependsOn: read("depends_on", all, v.nameList, []),
      ...(ready !== undefined && { ready }),
      ...(logPrefix !== undefined && { logPrefix }),
      origin: `${file}:${section.line}`,
    });
  }
  return specs;
}
