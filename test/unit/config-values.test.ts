// Value syntax shared with supervisord: %(name)s expansion, shlex splitting, environment=, sizes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseEnvironment } from "../../src/config/environment.ts";
import { expand } from "../../src/config/expand.ts";
import { splitCommand } from "../../src/config/shlex.ts";
import * as v from "../../src/config/values.ts";

test("%(name)s expands with Python's width and zero padding, %% is a literal %", () => {
  const names = { program_name: "web", process_num: 3, ENV_HOME: "/root" };
  assert.is(expand("%(program_name)s_%(process_num)02d", names), "web_03");
  assert.is(expand("[%(process_num)3d][%(program_name)-5s][%(program_name).2s]", names), "[  3][web  ][we]");
  assert.is(expand("%(ENV_HOME)s/100%%", names), "/root/100%");
});

test("an unknown name, a lone % and %d of a string are errors naming what was expected", () => {
  const names = { program_name: "web", ENV_HOME: "/root" };
  assert.throws(() => expand("%(ENV_NOPE)s", names), (e: Error) => e.message === 'expected a name in %(...)s that is ENV_<set variable> or one of program_name, got "%(ENV_NOPE)s"');
  assert.throws(() => expand("date +%s", names), (e: Error) => e.message === 'expected %(name)s, %(name)d or %% for a literal %, got "date +%s"');
  assert.throws(() => expand("%(program_name)d", names), /expected a number for %\(\.\.\.\)d/);
});

// Expected argv are Python's shlex.split output for the same text.
test("commands split like Python's shlex.split: quotes, escapes, no $ expansion or operators", () => {
  assert.equal(splitCommand('sh -c "echo \\"x\\" a|b $HOME" c\\ d #x'), ["sh", "-c", 'echo "x" a|b $HOME', "c d", "#x"]);
  assert.equal(splitCommand("a '' b"), ["a", "", "b"]);
  assert.equal(splitCommand('"a\\x" "a\\\\b" "\\$y" \\$z'), ["a\\x", "a\\b", "\\$y", "$z"]);
  assert.equal(splitCommand("'a'\"b\"c"), ["abc"]);
  assert.equal(splitCommand("a\n  b\tc"), ["a", "b", "c"]);
  assert.equal(splitCommand("   "), []);
});

test("an open quote or a trailing backslash is an error", () => {
  assert.throws(() => splitCommand("it's"), (e: Error) => e.message === `expected a closing ', got "it's"`);
  assert.throws(() => splitCommand("x\\"), (e: Error) => e.message === 'expected a character after the last \\, got "x\\\\"');
});

test("environment= takes KEY=val pairs, quotes hold commas, whitespace and a trailing comma are fine", () => {
  assert.equal(parseEnvironment('A=1, B="x,y",\n C=\'q\',D=a b,'), { A: "1", B: "x,y", C: "q", D: "a b" });
  assert.equal(parseEnvironment(""), {});
  assert.throws(() => parseEnvironment("A=1,B"), /expected KEY=VALUE pairs separated by commas/);
  assert.throws(() => parseEnvironment('A="open'), /expected KEY=VALUE pairs/);
  assert.throws(() => parseEnvironment('A="x"y'), /expected KEY=VALUE pairs/);
});

test("sizes, booleans, autorestart, exit codes, umask and signals parse like supervisord's datatypes", () => {
  assert.is(v.byteSize("50MB"), 50 * 1024 * 1024);
  assert.is(v.byteSize("10kb"), 10240);
  assert.is(v.byteSize("1GB"), 1024 ** 3);
  assert.is(v.byteSize("0"), 0);
  assert.equal(["yes", "TRUE", "on", "1", "no", "False", "off", "0"].map(v.boolean), [true, true, true, true, false, false, false, false]);
  assert.equal(["unexpected", "true", "off"].map(v.autoRestart), ["unexpected", "true", "false"]);
  assert.equal(v.exitCodes("0, 2,255"), [0, 2, 255]);
  assert.is(v.octal("022"), 0o22);
  assert.is(v.octal("0o77"), 0o77);
  assert.is(v.signal("SIGQUIT"), 3);
  assert.is(v.signal("usr2"), 12);
  assert.is(v.integer("-10"), -10);
  assert.equal(v.nameList(" db , cache "), ["db", "cache"]);
});

test.run();
