// The control protocol's command matcher (compares bytes, so junk allocates nothing).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MAX_COMMAND_BYTES, parseCommand } from "../../src/core/control-protocol.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

test("each command, with surrounding spaces, tabs and newlines ignored", () => {
  for (const c of ["STOP", "START", "QUIT", "RESTART", "STATUS"]) {
    assert.is(parseCommand(bytes(c)), c);
    assert.is(parseCommand(bytes(` \t${c}\r\n`)), c);
  }
});

test("near misses are not commands", () => {
  for (const t of ["stop", "Stop", "STOP\0", "\0STOP", "START START", "STOPSTART", "STO", "STARTT", "S T O P", "\uFEFFSTOP", "ＳＴＯＰ", ""]) {
    assert.is(parseCommand(bytes(t)), undefined, JSON.stringify(t));
  }
});

test("a datagram longer than any command is ignored unread", () => {
  assert.is(parseCommand(bytes(`${" ".repeat(MAX_COMMAND_BYTES)}STOP`)), undefined);
  assert.is(parseCommand(bytes(`${" ".repeat(MAX_COMMAND_BYTES - 4)}STOP`)), "STOP");
});

test.run();
