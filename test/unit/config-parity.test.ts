// corral reads a supervisord.conf the way supervisord does: the same fixture through
// supervisord's own parser (when the supervisor Python package is installed) and ours.
import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../src/config/load.ts";
import type { LogTarget } from "../../src/config/types.ts";
import { skip } from "../helpers.ts";

const FILE = "test/fixtures/configs/parity.conf";
const ENV = { HOME: "/home/parity", PATH: process.env["PATH"] ?? "/usr/bin:/bin" };

// Prints one JSON line per process as supervisord's ServerOptions sees it.
const SUPERVISORD = `
import json, shlex, sys
from supervisor.options import ServerOptions, make_namespec
o = ServerOptions(); o.configfile = sys.argv[1]; o.process_config(do_usage=False)
restart = {"RestartUnconditionally": "true", "RestartWhenExitUnexpected": "unexpected"}
inherit = {"/dev/fd/1": "fd1", "/dev/stdout": "fd1", "/dev/fd/2": "fd2", "/dev/stderr": "fd2"}
def log(v, fd):  # AUTO (not a str): corral inherits its own stdout/stderr
    return None if v is None else inherit.get(v, v) if isinstance(v, str) else "fd%d" % fd
for g in o.process_group_configs:
    for p in g.process_configs:
        print(json.dumps([make_namespec(g.name, p.name), shlex.split(p.command), p.priority, p.autostart, restart.get(getattr(p.autorestart, "__name__", ""), "false"),
            p.startsecs, p.stopsignal, p.stopwaitsecs, p.umask, p.exitcodes, p.environment or {}, log(p.stdout_logfile, 1), None if p.redirect_stderr else log(p.stderr_logfile, 2), p.redirect_stderr]))
`;

/** A LogTarget as the Python side prints it: a path, null, or fd1/fd2 for inherit. */
const log = (t: LogTarget) => (t.kind === "null" ? null : t.kind === "file" ? t.path : `fd${t.fd}`);

test("supervisord and corral agree on names, argv, defaults, expansions and environment", () => {
  const python = spawnSync("/usr/bin/python3", ["-c", SUPERVISORD, FILE], { env: ENV, encoding: "utf8" });
  if (python.status !== 0) {
    return skip(`supervisord's Python package is not installed (${python.stderr.trim().split("\n").at(-1) ?? python.error})`);
  }
  const theirs = python.stdout.trim().split("\n").map((l) => JSON.parse(l)).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const ours = loadConfig([FILE], ENV, { hostname: hostname() }).programs.sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.equal(ours.map((p) => [p.name, p.command, p.priority, p.autostart, p.autorestart, p.startsecs, p.stopsignal, p.stopwaitsecs,
    p.umask ?? null, p.exitcodes, p.environment, log(p.stdout), p.redirectStderr ? null : log(p.stderr), p.redirectStderr]), theirs);
  assert.is(ours.length, 4);
});

test.run();
