// The [supervisord] section: pidfile= and environment= are used, and corral's own tail_maxbytes=
// (the in-memory tail kept per program channel, logs/tails.ts); the rest is supervisord's
// daemon settings, which corral (always in the foreground, logging to its stderr) has no use for.
import { dirname, resolve } from "node:path";
import { where } from "./errors.ts";
import { parseEnvironment } from "./environment.ts";
import type { Names } from "./expand.ts";
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

/** What [supervisord] gives the rest of the config. */
export interface ServerSettings {
  pidfile?: string;
  environment: Record<string, string>;
  /** tail_maxbytes=, when set: bytes of in-memory tail per program channel (0: none). */
  tailBytes?: number;
}

/**
 * Reads [supervisord]: pidfile= (as written, like supervisord's) and environment= (KEY=VALUE pairs every program gets). Other known keys get one warning
 * listing them; unknown keys one warning each.
 * @example serverSettings(readIni("[supervisord]\npidfile=/run/s.pid\n", "a.conf")[0]!, names, warn) // { pidfile: "/run/s.pid", environment: {} }
 */
export function serverSettings(section: IniSection, names: Names, warn: (m: string) => void): ServerSettings {
  const noEffect: string[] = [];
  for (const [key, entry] of section.entries) {
    if (key in NO_EFFECT) noEffect.push(key);
    else if (!SILENT.has(key) && !OWN_KEYS.has(key)) warn(ignoredKey(where(section.file, entry.line), section.name, key));
  }
  if (noEffect.length) {
    const why = [...new Set(noEffect.map((k) => NO_EFFECT[k]))].join("; ");
    warn(`${where(section.file, section.line)}[${section.name}] ${noEffect.join(", ")}: no effect: ${why}`);
  }
  const r = sectionReader(section);
  const here = dirname(resolve(section.file));
  const all = { ...names, here };
  const pidfile = r.read("pidfile", all, v.nonEmpty, undefined);
  const tailBytes = r.read("tail_maxbytes", all, v.byteSize, undefined);
  return {
    ...(pidfile === undefined ? {} : { pidfile }),
    ...(tailBytes === undefined ? {} : { tailBytes }),
    environment: r.read("environment", all, parseEnvironment, {}),
  };
}
