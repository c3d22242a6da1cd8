// One supervisord-style config that corral --config and supervisord both run unchanged.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** What supervisord needs to stay in the foreground as PID 1 without files of its own; corral ignores the section. */
const SUPERVISORD_SECTION = {
  nodaemon: "true",
  logfile: "/dev/null",
  logfile_maxbytes: "0",
  user: "root",
};

/** Output to PID 1's own stdout, as in a container (`docker logs`): the Docker-typical program keys. */
const PROGRAM_DEFAULTS = {
  stdout_logfile: "/dev/stdout",
  stdout_logfile_maxbytes: "0",
  redirect_stderr: "true",
};

const section = (title, keys) => [`[${title}]`, ...Object.entries(keys).map(([k, v]) => `${k}=${v}`), ""];

/**
 * Writes DIR/supervisord.conf with one [program:NAME] per entry of `programs` (its keys
 * over PROGRAM_DEFAULTS), `server` keys added to [supervisord], and returns its path.
 * @example writeConfig(dir, { a: { command: "sleep 1001" } })
 */
export function writeConfig(dir, programs, server = {}) {
  const file = join(dir, "supervisord.conf");
  const text = [
    ...section("supervisord", { ...SUPERVISORD_SECTION, pidfile: join(dir, "supervisord.pid"), ...server }),
    ...Object.entries(programs).flatMap(([name, keys]) => section(`program:${name}`, { ...PROGRAM_DEFAULTS, ...keys })),
  ];
  writeFileSync(file, text.join("\n"));
  return file;
}
