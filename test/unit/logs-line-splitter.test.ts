// Cutting child output into lines: partial lines wait, overlong lines are cut and marked.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LineSplitter } from "../../src/logs/line-splitter.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Feeds `chunks` (then end of stream when `end`) and returns the lines, later pieces marked "+". */
function split(chunks: string[], maxBytes = 80, end = false): string[] {
  const lines: string[] = [];
  const sink = (bytes: Uint8Array, start: number, end: number, continued: boolean) =>
    lines.push(`${continued ? "+" : ""}${text(bytes.subarray(start, end))}`);
  const splitter = new LineSplitter(maxBytes);
  for (const c of chunks) splitter.push(bytes(c), sink);
  if (end) splitter.end(sink);
  return lines;
}

test("complete lines come out without their newline, empty lines included", () => {
  assert.equal(split(["a\nbb\n\nccc\n"]), ["a", "bb", "", "ccc"]);
});

test("a partial line waits for its newline across chunks", () => {
  assert.equal(split(["he", "ll", "o\nwor"]), ["hello"]);
  assert.equal(split(["he", "ll", "o\nwor", "ld\n"]), ["hello", "world"]);
});

test("at end of stream an unterminated line is emitted, and nothing when there is none", () => {
  assert.equal(split(["a\npartial"], 80, true), ["a", "partial"]);
  assert.equal(split(["a\n"], 80, true), ["a"]);
});

test("a line of exactly the maximum stays whole; one byte more is cut and the rest marked", () => {
  assert.equal(split(["12345\n"], 5), ["12345"]);
  assert.equal(split(["123456\n"], 5), ["12345", "+6"]);
  assert.equal(split(["1234567890123\nx\n"], 5), ["12345", "+67890", "+123", "x"]);
});

test("an overlong line is cut the same whatever the chunking", () => {
  const whole = split(["abcdefghijklmnopqrstuvwxyz\n"], 7);
  assert.equal(split("abcdefghijklmnopqrstuvwxyz\n".split(""), 7), whole);
  assert.equal(split(["abcdefghij", "klmnopqrstuvwxyz\n"], 7), whole);
});

test("an overlong unterminated line at end of stream keeps its continuation mark", () => {
  assert.equal(split(["abcdefgh"], 5, true), ["abcde", "+fgh"]);
});

test("a cut never splits a UTF-8 character: it moves before the character", () => {
  // "ééé" is 6 bytes; a 5-byte maximum would cut the third é in half.
  assert.equal(split(["ééé\n"], 5), ["éé", "+é"]);
  assert.equal(split(["a€€\n"], 5), ["a€", "+€"]);
  assert.equal(split(["a\u{1F600}b\n"], 4), ["a", "+\u{1F600}", "+b"]);
});

test.run();
