// The INI reader follows supervisord's configparser: comments, continuations, `key: value`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readIni } from "../../src/config/ini.ts";

const entries = (text: string) => readIni(text, "t.conf").map((s) => [s.name, Object.fromEntries([...s.entries].map(([k, e]) => [k, e.value]))]);

// Expected values are what Python's RawConfigParser(inline_comment_prefixes=(";", "#"), strict=False) gives.
test("comments, inline comments after whitespace, continuation lines and key: value read like configparser", () => {
  const text = [
    "; full comment",
    "# another",
    "[program:web]",
    "Command = /bin/web --flag=a;b   ; inline comment",
    '    --more "x #y"',
    "directory: /srv ;c",
    "",
    'environment=A="1,2",',
    "  B=x",
    "",
    "# comment inside",
    "",
    "[program:b]",
    "command=echo 50%%",
  ].join("\n");
  assert.equal(entries(text), [
    ["program:web", { command: '/bin/web --flag=a;b\n--more "x', directory: "/srv", environment: 'A="1,2",\nB=x' }],
    ["program:b", { command: "echo 50%%" }],
  ]);
});

test("each key and section remembers the line it starts on", () => {
  const [s] = readIni("\n[program:a]\n\ncommand=x\n  y\nautostart=false\n", "t.conf");
  assert.is(s!.line, 2);
  assert.is(s!.entries.get("command")!.line, 4);
  assert.is(s!.entries.get("autostart")!.line, 6);
});

test("a blank line inside a continued value is kept, trailing blank lines are not", () => {
  assert.equal(entries("[x]\nk=a\n\n  b\n\n"), [["x", { k: "a\n\nb" }]]);
});

test("CRLF line endings read the same as LF", () => {
  assert.equal(entries("[x]\r\nk = v\r\n"), [["x", { k: "v" }]]);
});

test("a key before any section, a line without = or :, and a broken header are errors with their line", () => {
  assert.throws(() => readIni("command=x\n", "t.conf"), (e: Error) => e.message === 't.conf:1: expected a [section] header first, got "command=x"');
  assert.throws(() => readIni("[a]\njunk\n", "t.conf"), (e: Error) => e.message === 't.conf:2: [a] expected KEY=VALUE or KEY: VALUE, got "junk"');
  assert.throws(() => readIni("[a\n", "t.conf"), (e: Error) => e.message === 't.conf:1: expected a [section] header first, got "[a"');
  // As configparser: a header is read up to its last "]", and an unclosed one after a section is a key ("[b" = "x").
  assert.equal(readIni("[a] trailing\n[b:x\n", "t.conf").map((s) => [s.name, [...s.entries.keys()]]), [["a", ["[b"]]]);
});

test.run();
