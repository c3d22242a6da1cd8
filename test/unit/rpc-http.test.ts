// The HTTP/1.1 request parser and the basic-auth helpers.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { basicAuth, basicAuthMatches, parseRequest, parseResponseBytes, sameSecret } from "../../src/rpc/http.ts";
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADER_FIELDS } from "../../src/rpc/constants.ts";

const bytes = (s: string) => new TextEncoder().encode(s);

test("supervisorctl's POST /RPC2 parses, with keep-alive on HTTP/1.1", () => {
  const r = parseRequest(bytes("POST /RPC2 HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: identity\r\nContent-Length: 4\r\n\r\nbodyGET"));
  assert.is(r.kind, "request");
  if (r.kind !== "request") return;
  assert.is(r.request.method, "POST");
  assert.is(r.request.path, "/RPC2");
  assert.is(new TextDecoder().decode(r.request.body), "body");
  assert.ok(r.request.keepAlive);
  assert.is(new TextDecoder().decode(r.rest), "GET");
});

test("a body not yet complete is partial; Connection: close and HTTP/1.0 end keep-alive", () => {
  assert.is(parseRequest(bytes("POST /RPC2 HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc")).kind, "partial");
  assert.is(parseRequest(bytes("POST /RPC2 HTTP/1.1\r\nHost: x")).kind, "partial");
  const closing = parseRequest(bytes("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
  assert.ok(closing.kind === "request" && !closing.request.keepAlive);
  const old = parseRequest(bytes("GET / HTTP/1.0\r\n\r\n"));
  assert.ok(old.kind === "request" && !old.request.keepAlive);
});

test("the tail -f client's extra CRLF before the next request is skipped", () => {
  const r = parseRequest(bytes("\r\nGET /logtail/web HTTP/1.1\r\nHost: x\r\n\r\n"));
  assert.ok(r.kind === "request" && r.request.path === "/logtail/web");
});

test("malformed or oversized requests are errors with a status", () => {
  const status = (s: string) => { const r = parseRequest(bytes(s)); return r.kind === "error" ? r.status : r.kind; };
  assert.is(status("GARBAGE\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/2.0\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nbad header\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400); // CL.TE
  assert.is(status("POST /RPC2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"), 400); // TE.CL
  assert.is(status("POST /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n"), 411);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n"), 413);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n"), 400);
  assert.is(status("POST /RPC2 HTTP/1.1\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n"), 400);
  assert.is(status(`GET / HTTP/1.1\r\n${"a: b\r\n".repeat(MAX_HEADER_FIELDS + 1)}\r\n`), 431);
  assert.is(status(`GET /${"a".repeat(1024 * 1024)} HTTP/1.1\r\n\r\n`), 431);
  assert.is(status(`POST /RPC2 HTTP/1.1\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`), 413);
  assert.is(status(`GET / HTTP/1.1\r\nX: ${"a".repeat(MAX_HEADER_BYTES)}`), 431);
});

test("basic auth is what supervisorctl sends; comparison is exact", () => {
  assert.is(basicAuth("user", "123"), "Basic dXNlcjoxMjM=");
  assert.ok(sameSecret("Basic dXNlcjoxMjM=", basicAuth("user", "123")));
  assert.not.ok(sameSecret("Basic dXNlcjoxMjQ=", basicAuth("user", "123")));
  assert.not.ok(sameSecret("", basicAuth("user", "123")));
  assert.not.ok(sameSecret("Basic dXNlcjoxMjM=x", basicAuth("user", "123")));
});

test("the same Content-Length twice is one; a head trickling in is found wherever it ends", () => {
  const r = parseRequest(bytes("POST /RPC2 HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"));
  assert.ok(r.kind === "request" && new TextDecoder().decode(r.request.body) === "ok");
  const head = "POST /RPC2 HTTP/1.1\r\nContent-Length: 2\r\n\r\n";
  assert.equal(parseRequest(bytes(head.slice(0, 30)), 0), { kind: "partial", head: false });
  assert.equal(parseRequest(bytes(head), 30), { kind: "partial", head: true });
  assert.is(parseRequest(bytes(`${head}ok`), 30).kind, "request"); // scanned=30 from the first call, the end is after it
});

test("the Basic scheme is case-insensitive (RFC 7235); the credentials are exact", () => {
  for (const scheme of ["Basic", "basic", "BASIC", "bAsIc"]) assert.ok(basicAuthMatches(`${scheme} dXNlcjoxMjM=`, "user", "123"), scheme);
  assert.not.ok(basicAuthMatches("Basic dXNlcjoxMjQ=", "user", "123"));
  assert.not.ok(basicAuthMatches("Bearer dXNlcjoxMjM=", "user", "123"));
  assert.not.ok(basicAuthMatches("Basic !!!", "user", "123"));
  assert.not.ok(basicAuthMatches(undefined, "user", "123"));
});

test("a client reads a Content-Length response once it is whole", () => {
  assert.is(parseResponseBytes(bytes("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"), false), undefined);
  assert.equal(parseResponseBytes(bytes("HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\n\r\nno"), false)?.status, 401);
});

test.run();
