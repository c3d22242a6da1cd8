// Reading pidfiles strictly: 0 and negative numbers would signal process groups.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePid, parsePidfile, quoteGarbage } from "../../src/pidfile/content.ts";

test("a pid is 1 to 4194304 in decimal digits, surrounding whitespace allowed", () => {
  assert.is(parsePid("42"), 42);
  assert.is(parsePid(" 42\n"), 42);
  assert.is(parsePid("4194304"), 4_194_304);
  for (const bad of ["0", "-1", "+5", "4194305", "12345678", "0x10", "1e3", "4 2", "", "abc"]) {
    assert.is(parsePid(bad), undefined, bad);
  }
});

test("pidfile content is a pid, empty, or garbage kept for the warning", () => {
  assert.equal(parsePidfile("123\n"), { pid: 123 });
  assert.equal(parsePidfile(" \n"), { empty: true });
  assert.equal(parsePidfile("-1"), { garbage: "-1" });
  assert.is(quoteGarbage("oops\nsecond line"), `"oops"`);
  assert.is(quoteGarbage("x".repeat(50)), JSON.stringify(`${"x".repeat(40)}…`));
});

test.run();
