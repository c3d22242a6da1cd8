// The in-memory tails' JavaScript side (src/logs/tails.ts) on a fake Os whose tails keep every
// byte: which names are tails, which are files, the main log's early lines, clearing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FakeOs } from "../fakes/os.ts";
import { DEFAULT_TAIL_BYTES, MAIN_TAIL, keepTails, openTail, tailName, withTails } from "../../src/logs/tails.ts";
import { initLog, warn } from "../../src/log.ts";
import { logSource, mainLogSource, readLog, tailLog } from "../../src/rpc/logs.ts";

/** A fake Os with tails: arrays of bytes by id. */
class TailOs extends FakeOs {
  tails = new Map<number, { max: number; bytes: number[] }>();
  override openTail(max: number): number {
    this.tails.set(this.tails.size + 1, { max, bytes: [] });
    return this.tails.size;
  }
  override writeTail(id: number, data: Uint8Array): void { this.tails.get(id)!.bytes.push(...data); }
  override tailSize(id: number): number { return this.tails.get(id)?.bytes.length ?? -2; }
  override readTail(id: number, offset: number, length: number): Uint8Array | number {
    const t = this.tails.get(id);
    return t ? Uint8Array.from(t.bytes.slice(offset, offset + length)) : -2;
  }
  override clearTail(id: number): void { this.tails.get(id)!.bytes = []; }
}

const os = new TailOs();
const files = { size: (p: string) => (p === "/var/log/web.log" ? 5 : undefined), read: () => new TextEncoder().encode("hello"), inode: () => 7 };
const text = (s: string) => new TextEncoder().encode(s);

test("before keepTails there are no tails; corral's early messages wait for one", () => {
  initLog(os, 0);
  warn("early warning");
  assert.is(openTail(tailName("web", "stdout")), undefined);
  assert.is(withTails(files).size(tailName("web", "stdout")), undefined);
});

test("keepTails: tails of the given size, the main one holding what was logged before", () => {
  keepTails(os, DEFAULT_TAIL_BYTES);
  const logs = withTails(files);
  assert.match(readLog(logs, mainLogSource(undefined), 0, 0), /^corral: early warning\n$/);
  warn("later");
  assert.match(readLog(logs, MAIN_TAIL, 0, 0), /later\n$/);
  assert.is(os.tails.get(1)!.max, DEFAULT_TAIL_BYTES);
});

test("a program channel's tail is opened once and read through LogFiles by its name; files stay files", () => {
  const id = openTail(tailName("site:web", "stdout"))!;
  assert.is(openTail(tailName("site:web", "stdout")), id);
  os.writeTail(id, text("GET / 200\n"));
  const logs = withTails(files);
  const info = { name: "web", group: "site", stdoutLogfile: "", stderrLogfile: "/var/log/web.log" };
  assert.is(logSource(info, "stdout"), "tail:site:web/stdout");
  assert.equal(tailLog(logs, logSource(info, "stdout"), 0, 4), ["200\n", 10, true]);
  assert.is(readLog(logs, logSource(info, "stderr"), 0, 0), "hello");
  assert.is(logs.size(logSource(info, "stderr")), 5);
  // A name that is no tail of a program: as a missing file.
  assert.is(logs.size(tailName("other", "stdout")), undefined);
  assert.throws(() => readLog(logs, tailName("other", "stdout"), 0, 0), /other/);
});

test("first: the first offset a tail still keeps (0 for a file), so /logtail skips what is gone", () => {
  const logs = withTails(files);
  const id = openTail(tailName("chatty", "stdout"))!;
  assert.is(logs.first(tailName("chatty", "stdout")), 0);
  os.writeTail(id, new Uint8Array(DEFAULT_TAIL_BYTES + 100));
  assert.is(logs.first(tailName("chatty", "stdout")), 100);
  assert.is(logs.first("/var/log/web.log"), 0);
});

test("clear empties a tail (size 0), and only a tail", () => {
  const logs = withTails(files);
  const name = tailName("site:web", "stdout");
  assert.ok(logs.clear(name));
  assert.is(logs.size(name), 0);
  assert.is(logs.clear("/var/log/web.log"), false);
  assert.is(logs.clear(tailName("nobody", "stdout")), false);
});

test.run();
