// The data of PROCESS_LOG_STDOUT/STDERR events: pieces no bigger than one supervisord read,
// UTF-8 text, and supervisord's "Undecodable: b'…'" for bytes that are not, checked against
// supervisord's own events.py where it is installed.
import { spawnSync } from "node:child_process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { logPieces, logText, pythonBytesRepr, READ_BYTES } from "../../src/events/log-data.ts";
import { processLogEvent } from "../../src/events/codec.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("output of one read up to supervisord's read size is one piece, an empty one too", () => {
  assert.is(READ_BYTES, 65536);
  assert.equal(logPieces(bytes("hi\n")).map((p) => p.length), [3]);
  assert.equal(logPieces(new Uint8Array(READ_BYTES)).map((p) => p.length), [READ_BYTES]);
  assert.equal(logPieces(new Uint8Array(0)).map((p) => p.length), [0]);
});

test("a bigger read is cut into supervisord-sized pieces, each cut at a character start, nothing lost", () => {
  const text = "é".repeat(READ_BYTES); // 2 bytes each: the first cut falls inside no character
  const shifted = "x" + text; // ... and here every cut falls inside one
  for (const t of [text, shifted]) {
    const data = bytes(t);
    const pieces = logPieces(data);
    for (const p of pieces.slice(0, -1)) assert.ok(p.length <= READ_BYTES && p.length >= READ_BYTES - 3, `${p.length}`);
    assert.is(pieces.map(logText).join(""), t);
    assert.ok(pieces.every((p) => !logText(p).startsWith("Undecodable")));
  }
  assert.equal(logPieces(new Uint8Array(300 * 1024)).map((p) => p.length), [65536, 65536, 65536, 65536, 45056]);
});

test("bytes that are not UTF-8 at a cut are cut where the read would be", () => {
  const data = new Uint8Array(READ_BYTES + 10).fill(0x80);
  assert.equal(logPieces(data).map((p) => p.length), [READ_BYTES, 10]);
});

test("valid UTF-8 is the event's text as it is, a byte order mark kept", () => {
  assert.is(logText(bytes("héllo ✓\n")), "héllo ✓\n");
  assert.is(logText(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61)), "\ufeffa");
});

test("bytes that are not UTF-8 become Undecodable: and Python's repr of them", () => {
  assert.is(logText(Uint8Array.of(0x66, 0xff, 0x0a)), "Undecodable: b'f\\xff\\n'");
  assert.is(pythonBytesRepr(bytes("it's")), `b"it's"`);
  assert.is(pythonBytesRepr(bytes(`it's "x"`)), `b'it\\'s "x"'`);
  assert.is(pythonBytesRepr(Uint8Array.of(0x5c, 0x09, 0x0d, 0x00, 0x7f, 0x20)), "b'\\\\\\t\\r\\x00\\x7f '");
  // An encoded surrogate is not UTF-8 to Python either.
  assert.ok(logText(Uint8Array.of(0xed, 0xa0, 0x80)).startsWith("Undecodable: "));
});

/** supervisord's ProcessLogStdoutEvent payloads for the byte strings on stdin (JSON lists of bytes). */
const SUPERVISORD = String.raw`
import json, sys
from supervisor import events
class P: pass
p = P(); p.config = P(); p.config.name = "web"; p.group = P(); p.group.config = P(); p.group.config.name = "site"
print(json.dumps([events.ProcessLogStdoutEvent(p, 42, bytes(b)).payload() for b in json.load(sys.stdin)]))
`;

test("payloads match supervisord's ProcessLogEvent for text, binary and tricky bytes", () => {
  const samples = [bytes("GET / 200\n"), bytes("héllo ✓"), Uint8Array.of(0x66, 0xff, 0x0a), bytes("it's \\ \t"),
    Uint8Array.of(0x27, 0x22, 0x80, 0x00, 0x7f, 0xc3), Uint8Array.of(0xef, 0xbb, 0xbf, 0x61), Uint8Array.of(0xed, 0xa0, 0x80)];
  const python = spawnSync("/usr/bin/python3", ["-c", SUPERVISORD], { encoding: "utf8", input: JSON.stringify(samples.map((s) => [...s])) });
  if (python.status !== 0) {
    console.log(`skipped: supervisord's Python package is not installed (${python.stderr.trim().split("\n").at(-1) ?? python.error})`);
    return;
  }
  const theirs = JSON.parse(python.stdout) as string[];
  const ours = samples.map((s) => processLogEvent("stdout", "web", "site", 42, logText(s)).payload);
  assert.equal(ours, theirs);
});

test.run();
