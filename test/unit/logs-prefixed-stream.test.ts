// Prefixing one program's stream: whole lines only, one batch per chunk, drops per line,
// colour only when asked for and the same colour for the same name.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PrefixedStream, type LineOutput, type RunFormatter } from "../../src/logs/prefixed-stream.ts";
import { colourOf, prefixesOf, wantsColour } from "../../src/logs/prefix.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Records batches (copied, as the real writer does) and admits up to `room` bytes. */
function recorder(room = Infinity) {
  const batches: string[] = [];
  const dropped: string[] = [];
  const output: LineOutput = {
    admit(source, n) {
      if (n > room) { dropped.push(source); return false; }
      room -= n;
      return true;
    },
    admitRun(n) {
      if (n > room) return false;
      room -= n;
      return true;
    },
    send: (batch) => void batches.push(text(batch)),
  };
  return { output, batches, dropped };
}

test("each complete line gets the prefix, and a chunk's lines go out as one batch", () => {
  const { output, batches } = recorder();
  const stream = new PrefixedStream("web", prefixesOf("web", false), output, 100);
  stream.write(bytes("one\ntwo\nthr"));
  stream.write(bytes("ee\n"));
  assert.equal(batches, ["web | one\nweb | two\n", "web | three\n"]);
});

test("an unterminated last line is sent with a newline at end of stream", () => {
  const { output, batches } = recorder();
  const stream = new PrefixedStream("a", prefixesOf("a", false), output, 100);
  stream.write(bytes("partial"));
  assert.equal(batches, []);
  stream.end();
  assert.equal(batches, ["a | partial\n"]);
});

test("pieces of an overlong line are marked with + instead of |", () => {
  const { output, batches } = recorder();
  new PrefixedStream("a", prefixesOf("a", false), output, 4).write(bytes("abcdefg\n"));
  assert.equal(batches, ["a | abcd\na + efg\n"]);
});

test("lines the output does not admit are left out whole", () => {
  const { output, batches, dropped } = recorder("a | 1\n".length * 2);
  new PrefixedStream("a", prefixesOf("a", false), output, 100).write(bytes("1\n2\n3\n"));
  assert.equal(batches, ["a | 1\na | 2\n"]);
  assert.equal(dropped, ["a"]);
});

test("a batch larger than the shared buffer is sent whole", () => {
  const { output, batches } = recorder();
  const line = "x".repeat(999) + "\n";
  new PrefixedStream("a", prefixesOf("a", false), output, 2000).write(bytes(line.repeat(200)));
  assert.is(batches.length, 1);
  assert.is(batches[0], `a | ${line}`.repeat(200));
});

/** What Os.prefixLines does natively, in JS; `runs` counts its calls that produced lines. */
function formatter() {
  const calls = { runs: 0 };
  const format: RunFormatter = (src, from, prefix, dst, maxLine) => {
    let pos = from, out = 0;
    for (let nl = src.indexOf(10, pos); nl >= 0; nl = src.indexOf(10, pos)) {
      if (nl - pos > maxLine || out + prefix.length + nl - pos + 1 > dst.length) break;
      dst.set(prefix, out);
      dst.set(src.subarray(pos, nl + 1), out + prefix.length);
      out += prefix.length + nl - pos + 1;
      pos = nl + 1;
    }
    if (out) calls.runs++;
    return [pos, out];
  };
  return { format, calls };
}

test("with a run formatter the output is the same as line by line, partial and overlong lines included", () => {
  const chunks = ["one\ntwo\nthr", "ee\n", "x\nabcdefghij\ny\n", "tail"];
  const plain = recorder(), fast = recorder(), { format, calls } = formatter();
  const a = new PrefixedStream("a", prefixesOf("a", false), plain.output, 6);
  const b = new PrefixedStream("a", prefixesOf("a", false), fast.output, 6, format);
  for (const c of chunks) { a.write(bytes(c)); b.write(bytes(c)); }
  a.end(); b.end();
  assert.equal(fast.batches, plain.batches);
  assert.is(calls.runs, 2, "runs start only where no partial line is kept");
});

test("a run that does not fit all at once falls back to whole lines, each drop counted once", () => {
  const { output, batches, dropped } = recorder("a | 1\n".length * 2);
  new PrefixedStream("a", prefixesOf("a", false), output, 100, formatter().format).write(bytes("1\n2\n3\n"));
  assert.equal(batches, ["a | 1\na | 2\n"]);
  assert.equal(dropped, ["a"]);
});

test("a coloured prefix wraps the name and bar in the name's own colour", () => {
  assert.is(text(prefixesOf("web", true).line), `\x1b[${colourOf("web")}mweb |\x1b[0m `);
  assert.is(colourOf("web"), colourOf("web"));
  const colours = new Set(["a", "b", "c", "d", "e", "f", "g", "h"].map(colourOf));
  assert.ok(colours.size > 1, "different names get different colours");
});

test("colour only on a terminal and only without NO_COLOR (an empty NO_COLOR does not count)", () => {
  assert.ok(wantsColour(true, {}));
  assert.ok(wantsColour(true, { NO_COLOR: "" }));
  assert.not.ok(wantsColour(true, { NO_COLOR: "1" }));
  assert.not.ok(wantsColour(false, {}));
});

test.run();
