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
  assert.throws(() => expand("date +%s", names), (e: Error) => e.message === 'expected %(name)s forms or %% for a literal % (%s without a (name)), got "date +%s"');
  assert.throws(() => expand("%(program_name)d", names), /%d format: a real number is required/);
  // Every Python conversion, as supervisord's `value % names` gives it.
  const n = { process_num: 10, program_name: "web" };
  assert.equal(["%(process_num)x", "%(process_num)#X", "%(process_num)03d", "%(process_num)+d", "%(process_num)o", "%(process_num).1f", "%(program_name)r", "%(program_name)5s|", "%(program_name)-5s|", "%(program_name).1s"]
    .map((t) => expand(t, n)), ["a", "0XA", "010", "+10", "12", "10.0", "'web'", "  web|", "web  |", "w"]);
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
  assert.equal(parseEnvironment('A=1, B="x,y",\n C=\'q\',D="a b",'), { A: "1", B: "x,y", C: "q", D: "a b" });
  // As supervisord's shlex: an unquoted space ends the value (the rest, one word, is dropped), any one separator will do.
  assert.equal(parseEnvironment("A=x y"), { A: "x" });
  assert.equal(parseEnvironment("A=1;B=2"), { A: "1", B: "2" });
  assert.equal(parseEnvironment("A=$HOME"), { A: "$" }); // "HOME" is taken for the separator, as supervisord does
  assert.equal(parseEnvironment(""), {});
  assert.throws(() => parseEnvironment("A=1,B"), /expected KEY=VALUE pairs separated by commas/);
  assert.throws(() => parseEnvironment('A="open'), /expected KEY=VALUE pairs/);
  assert.equal(parseEnvironment('A="x"y'), { A: "x" });
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
