// The [supervisord] section: pidfile= and environment= are used, and corral's own tail_maxbytes=
// (the in-memory tail kept per program channel, logs/tails.ts); the rest is supervisord's
// daemon settings, which corral (always in the foreground, logging to its stderr) has no use for.
import { dirname, resolve } from "node:path";
import { where } from "./errors.ts";
import { parseEnvironment } from "./environment.ts";
import { expand, type Names } from "./expand.ts";
import { expected } from "./errors.ts";
import { expandUser } from "./program.ts";
import { lookupUser } from "./users.ts";
import type { IniSection } from "./ini.ts";
import { ignoredKey } from "./keys.ts";
import { sectionReader } from "./section-reader.ts";
import * as v from "./values.ts";

/** supervisord keys corral reads without acting on them, with what it does instead. */
const NO_EFFECT: Readonly<Record<string, string>> = {
  logfile: "corral logs to its stderr",
  logfile_maxbytes: "corral logs to its stderr",
  logfile_backups: "corral logs to its stderr",
  loglevel: "corral's -v sets how much it logs",
  user: "corral runs as the user the container starts it as",
  directory: "corral stays in the directory it was started in",
  umask: "programs get corral's umask unless their own umask= says otherwise",
  identifier: "corral's getIdentification always answers \"supervisor\"",
  childlogdir: "AUTO log files are not kept",
  minfds: "corral does not raise limits",
  minprocs: "corral does not raise limits",
  strip_ansi: "output is passed through as written",
};
/** The keys corral acts on (tail_maxbytes is corral's own). */
const OWN_KEYS = new Set(["pidfile", "environment", "tail_maxbytes"]);
/** Keys whose meaning corral has anyway: it never daemonizes and never cleans AUTO logs. */
const SILENT = new Set(["nodaemon", "silent", "nocleanup"]);

/** What reading [supervisord] needs from outside. */
export interface ServerContext {
  /** The main file's directory, for %(here)s. */
  here?: string;
  hostname?: string;
  /** $HOME, for `~` in pidfile=. */
  home?: string;
  passwd?: () => string;
}

/** What [supervisord] gives the rest of the config. */
export interface ServerSettings {
  pidfile?: string;
  environment: Record<string, string>;
  /** tail_maxbytes=, when set: bytes of in-memory tail per program channel (0: none). */
  tailBytes?: number;
}

/** supervisord's log level names (loggers.LevelsByDescription), any case. */
const LOG_LEVELS = new Set(["critical", "error", "warn", "info", "debug", "trace", "blather"]);

/** How supervisord converts each [supervisord] key it reads: a value it refuses refuses the config. */
const CHECKS: Readonly<Record<string, (text: string, passwd: () => string) => unknown>> = {
  minfds: v.integer, minprocs: v.integer, umask: v.octal, logfile_maxbytes: v.byteSize, logfile_backups: v.integer,
  loglevel: (t) => {
    if (!LOG_LEVELS.has(t.toLowerCase())) throw expected(`a log level (${[...LOG_LEVELS].join(", ")})`, t);
  },
  nodaemon: v.boolean, silent: v.boolean, nocleanup: v.boolean, strip_ansi: v.boolean,
  // supervisord's realize() refuses to start as a user it cannot find.
  user: (t, passwd) => lookupUser(t, passwd()),
};

/**
 * Reads [supervisord] as supervisord does: every key it reads is checked with its converter
 * (a bad loglevel, umask, minfds, user… refuses the config), pidfile= (`~` expanded) and
 * environment= (KEY=VALUE pairs every program gets) are used; the other known keys get one
 * warning listing them, unknown keys one warning each.
 * @example serverSettings(readIni("[supervisord]\npidfile=/run/s.pid\n", "a.conf")[0]!, names, warn) // { pidfile: "/run/s.pid", environment: {} }
 */
export function serverSettings(section: IniSection, names: Names, warn: (m: string) => void, context: ServerContext = {}): ServerSettings {
  const noEffect: string[] = [];
  for (const [key, entry] of section.entries) {
    if (key in NO_EFFECT) noEffect.push(key);
    else if (!entry.inherited && !SILENT.has(key) && !OWN_KEYS.has(key)) warn(ignoredKey(where(entry.file ?? section.file, entry.line), section.name, key));
  }
  if (noEffect.length) {
    const why = [...new Set(noEffect.map((k) => NO_EFFECT[k]))].join("; ");
    warn(`${where(section.file, section.line)}[${section.name}] ${noEffect.join(", ")}: no effect: ${why}`);
  }
  const r = sectionReader(section);
  const here = context.here ?? dirname(resolve(section.file));
  const all = { ...names, here };
  const passwd = context.passwd ?? (() => "");
  for (const [key, check] of Object.entries(CHECKS)) r.read(key, all, (t) => check(t, passwd), undefined);
  for (const key of ["logfile", "directory", "childlogdir", "identifier"]) r.read(key, all, (t) => t, undefined);
  const pidfile = r.read("pidfile", all, (t) => expandUser(t, context.home, passwd), undefined);
  // Expanded twice, as supervisord does (the second time %(host_node_name)s is known too).
  const environment = r.read("environment", all, (t) => parseEnvironment(r.check("environment", () => expand(t, { ...all, host_node_name: context.hostname ?? "" }))), {});
  const tailBytes = r.read("tail_maxbytes", all, v.byteSize, undefined);
  return {
    ...(pidfile === undefined ? {} : { pidfile }),
    ...(tailBytes === undefined ? {} : { tailBytes }),
    environment,
  };
}
