// Which program streams go through the native log pump, and in which format (pure rules).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseOutputFormat, routeFormat } from "../../src/logs/routing.ts";
import { prefixesOf } from "../../src/logs/prefix.ts";
import type { LogTarget } from "../../src/config/types.ts";

const stdout: LogTarget = { kind: "inherit", fd: 1 };
const rotating: LogTarget = { kind: "file", path: "/var/log/web.log", maxBytes: 50 * 1024 * 1024, backups: 10 };
const growing: LogTarget = { kind: "file", path: "/var/log/web.log", maxBytes: 0, backups: 10 };
const none: LogTarget = { kind: "null" };

test("unprefixed text to corral's stdout stays zero copy; a prefix goes through the pump", () => {
  assert.is(routeFormat(stdout, false, "text"), undefined);
  assert.is(routeFormat(stdout, true, "text"), "prefix");
});

test("a file with a size limit is written by the pump (bytes unchanged); without one, by the program", () => {
  assert.is(routeFormat(rotating, false, "text"), "raw");
  assert.is(routeFormat(growing, false, "text"), undefined);
  // Files are never prefixed, as in supervisord.
  assert.is(routeFormat(rotating, true, "text"), "raw");
});

test("JSON goes through the pump for every target but NONE", () => {
  assert.is(routeFormat(stdout, false, "json"), "json");
  assert.is(routeFormat(stdout, true, "json"), "json");
  assert.is(routeFormat(growing, false, "json"), "json");
  assert.is(routeFormat(rotating, false, "json"), "json");
  assert.is(routeFormat(none, false, "json"), undefined);
});

test("a stream whose output becomes events is always read by the pump, bytes unchanged unless a format is asked for", () => {
  assert.is(routeFormat(stdout, false, "text", true), "raw", "not the zero-copy inherit: it cannot give events");
  assert.is(routeFormat(growing, false, "text", true), "raw");
  assert.is(routeFormat(none, false, "text", true), "raw", "NONE: read for its events, written nowhere");
  assert.is(routeFormat(stdout, true, "text", true), "prefix");
  assert.is(routeFormat(rotating, false, "text", true), "raw");
  assert.is(routeFormat(stdout, false, "json", true), "json");
  assert.is(routeFormat(none, false, "json", true), "raw");
});

test("log formats: text and json, exactly", () => {
  assert.is(parseOutputFormat("text"), "text");
  assert.is(parseOutputFormat("json"), "json");
  assert.is(parseOutputFormat("JSON"), undefined);
  assert.is(parseOutputFormat(""), undefined);
});

test("prefixes: plain off a terminal, the continued piece marked +", () => {
  const p = prefixesOf("web", false);
  assert.is(new TextDecoder().decode(p.line), "web | ");
  assert.is(new TextDecoder().decode(p.continued), "web + ");
});

test("a stream to corral's stdout that keeps an in-memory tail is read by the pump, its bytes unchanged; files and NONE are not", () => {
  assert.is(routeFormat(stdout, false, "text", false, true), "raw");
  assert.is(routeFormat(stdout, true, "text", false, true), "prefix");
  assert.is(routeFormat(stdout, false, "json", false, true), "json");
  assert.is(routeFormat(growing, false, "text", false, false), undefined);
  assert.is(routeFormat(none, false, "text", false, false), undefined);
});

test.run();
