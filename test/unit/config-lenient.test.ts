// What supervisord accepts, corral accepts too: keys and sections supervisord ignores, a key
// or section given twice, includes that match nothing, no programs at all. Each is one warning.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadConfig } from "../../src/config/load.ts";
import { parseConfigText } from "../../src/config/parse.ts";

const FILE = "/etc/corral.conf";
const WARNED = "test/fixtures/configs/warned";
const parse = (text: string) => parseConfigText(text, FILE, {}, { hostname: "box", passwd: () => "" });

test("every fixture in test/fixtures/configs/warned loads with its processes and the warning expected.txt gives", () => {
  const rows = readFileSync(join(WARNED, "expected.txt"), "utf8").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("\t"));
  assert.is(rows.length, 6);
  for (const [file, names, regex] of rows) {
    const config = loadConfig([join(WARNED, file!)], {}, { hostname: "box", passwd: () => "" });
    assert.equal(config.programs.map((p) => p.name), names ? names.split(",") : [], file);
    assert.ok(config.warnings.some((w) => new RegExp(regex!).test(w)), `${file}: ${JSON.stringify(config.warnings)}`);
  }
});

test("an unknown key is warned about once per key, with file, line and section, even with numprocs=2", () => {
  const config = parse("[program:w]\ncommand=w\nnumprocs=2\nprocess_name=w%(process_num)d\npidfile=/run/w.pid\nusername=w\n");
  assert.equal(config.programs.map((p) => p.name), ["w:w0", "w:w1"]);
  assert.equal(config.warnings, [
    "/etc/corral.conf:5: [program:w] pidfile: ignored, as supervisord does",
    "/etc/corral.conf:6: [program:w] username: ignored, as supervisord does",
  ]);
});

test("a key given twice keeps the last value, as supervisord's configparser (strict=False) does", () => {
  const config = parse("[program:w]\ncommand=a\nautorestart=true\nautorestart=false\n");
  assert.is(config.programs[0]!.autorestart, "false");
  assert.equal(config.warnings, ["/etc/corral.conf:4: [program:w] autorestart: given again (first at line 3); the last value wins, as in supervisord"]);
});

test("a section given twice is one section, later keys winning", () => {
  const config = parse("[program:w]\ncommand=a\npriority=5\n[program:w]\ncommand=b\n");
  assert.equal(config.programs.map((p) => [p.command, p.priority]), [[["b"], 5]]);
});

test("unknown keys in [include], [group:x], [eventlistener:x] and [supervisord] are warned about too", () => {
  const config = parse([
    "[supervisord]", "nodaemon=true", "colour=blue", "[include]", "files=/nonexistent/*.conf", "recurse=yes",
    "[program:a]", "command=a", "[group:g]", "programs=a", "label=x", "[eventlistener:l]", "command=l", "events=TICK_5", "size=3",
  ].join("\n"));
  assert.equal(config.warnings, [
    "/etc/corral.conf:3: [supervisord] colour: ignored, as supervisord does",
    "/etc/corral.conf:6: [include] recurse: ignored, as supervisord does",
    "/etc/corral.conf:11: [group:g] label: ignored, as supervisord does",
    "/etc/corral.conf:15: [eventlistener:l] size: ignored, as supervisord does",
  ]);
});

test("a config with no programs at all loads, with no processes (programs arrive later)", () => {
  const config = parse("[supervisord]\nnodaemon=true\n");
  assert.equal([config.programs, config.listeners, config.groups, config.warnings], [[], [], [], []]);
});

test("[supervisord] daemon settings corral has no use for are one warning naming them", () => {
  const config = parse("[supervisord]\nlogfile=/var/log/s.log\nloglevel=debug\nnodaemon=true\n[program:a]\ncommand=a\n");
  assert.equal(config.warnings, ["/etc/corral.conf:1: [supervisord] logfile, loglevel: no effect: corral logs to its stderr; corral's -v sets how much it logs"]);
});

test.run();
