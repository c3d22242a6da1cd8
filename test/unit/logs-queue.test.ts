// The bounded output queue: whole lines admitted up to the bound, drops counted in runs,
// drop counts handed out once the reader has caught up, small chunks joined into writes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OutputQueue } from "../../src/logs/output-queue.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

/** Admits and stores `line` when it fits; returns whether it did. */
function offer(queue: OutputQueue, source: string, line: string): boolean {
  if (!queue.admit(source, line.length)) return false;
  queue.store(bytes(line));
  return true;
}

test("lines are admitted until the next one would pass the bound", () => {
  const queue = new OutputQueue(10);
  assert.ok(offer(queue, "a", "1234\n"));
  assert.ok(offer(queue, "a", "abcd\n"));
  assert.is(queue.bytes, 10);
  assert.not.ok(offer(queue, "a", "x\n"));
  assert.is(queue.bytes, 10);
});

test("after a drop every line is dropped until half the bound is written, then counts come out once", () => {
  const queue = new OutputQueue(10);
  offer(queue, "a", "12345678\n");
  assert.not.ok(offer(queue, "a", "xx\n"));
  assert.not.ok(offer(queue, "b", "y\n"));
  queue.advance(2); // 7 bytes left: more than half, still dropping even though "y\n" would fit
  assert.not.ok(offer(queue, "b", "y\n"));
  assert.equal(queue.takeDrops(), []);
  queue.advance(2); // 5 left: half the bound
  assert.equal(queue.takeDrops(), [["a", 1], ["b", 2]]);
  assert.equal(queue.takeDrops(), []);
  assert.ok(offer(queue, "a", "ok\n"));
});

test("a run of lines is admitted whole or not at all, and a refused run counts no drop", () => {
  const queue = new OutputQueue(10);
  assert.ok(queue.admitRun(6));
  assert.not.ok(queue.admitRun(6));
  assert.is(queue.bytes, 6);
  assert.ok(queue.admit("a", 4), "line by line after a refused run");
  assert.not.ok(queue.admit("a", 1));
  assert.not.ok(queue.admitRun(1), "no runs while dropping");
  queue.sent(10);
  assert.equal(queue.takeDrops(), [["a", 1]]);
});

test("bytes written straight from a batch count like written queued bytes", () => {
  const queue = new OutputQueue(10);
  assert.ok(queue.admit("a", 8));
  assert.not.ok(queue.admit("a", 8));
  queue.sent(8);
  assert.is(queue.bytes, 0);
  assert.equal(queue.takeDrops(), [["a", 1]]);
  assert.not.ok(queue.waiting);
});

test("head gives stored bytes in order; advance takes partial writes off the front", () => {
  const queue = new OutputQueue(1 << 20);
  offer(queue, "a", "one\n");
  offer(queue, "b", "two\n");
  assert.is(text(queue.head()), "one\ntwo\n");
  queue.advance(2);
  assert.is(text(queue.head()), "e\ntwo\n");
  queue.advance(6);
  assert.is(queue.head(), undefined);
  assert.not.ok(queue.waiting);
  assert.is(queue.bytes, 0);
});

test("many small chunks are joined into writes of at most 64 KiB", () => {
  const queue = new OutputQueue(1 << 20);
  const line = "x".repeat(99) + "\n";
  for (let i = 0; i < 1000; i++) offer(queue, "a", line);
  const first = queue.head()!;
  assert.is(first.length, 65500);
  queue.advance(first.length);
  assert.is(queue.head()!.length, 100_000 - 65500);
});

test("a forced store (a notice) passes the bound and is counted", () => {
  const queue = new OutputQueue(4);
  offer(queue, "a", "abc\n");
  queue.store(bytes("notice\n"), true);
  assert.is(queue.bytes, 11);
  assert.is(text(queue.head()), "abc\nnotice\n");
});

test("clear forgets everything stored and admitted", () => {
  const queue = new OutputQueue(100);
  offer(queue, "a", "abc\n");
  queue.clear();
  assert.is(queue.bytes, 0);
  assert.is(queue.head(), undefined);
});

test.run();
