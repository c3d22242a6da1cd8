// HTTP/1.1 requests as supervisorctl sends them, parsed from bytes without node:http:
// request line, headers, a Content-Length body, keep-alive; anything else is refused with a
// 4xx/501 status and the connection closed.
import { MAX_BODY_BYTES, MAX_HEADER_BYTES, MAX_HEADER_FIELDS } from "./constants.ts";

/** One complete request. Header names are lower-cased. */
export interface HttpRequest {
  method: string;
  path: string;
  version: "1.0" | "1.1";
  headers: Map<string, string>;
  body: Uint8Array;
  /** Whether the connection stays open after the response. */
  keepAlive: boolean;
}

/** What the parser found: a request, nothing complete yet, or an error to answer and close on. */
export type ParseResult =
  | { kind: "request"; request: HttpRequest; rest: Uint8Array }
  /** `head`: the head is complete and the body is not (the body deadline runs, not the head's). */
  | { kind: "partial"; head: boolean }
  | { kind: "error"; status: 400 | 411 | 413 | 431 | 501; reason: string };

const CRLF2 = [13, 10, 13, 10];
const REQUEST_LINE = /^([A-Z]+) (\S+) HTTP\/1\.([01])$/;
const latin1 = new TextDecoder("latin1");

function headerEnd(buf: Uint8Array, from: number): number {
  outer: for (let i = Math.max(0, from); i + 3 < buf.length; i++) {
    for (let j = 0; j < 4; j++) if (buf[i + j] !== CRLF2[j]) continue outer;
    return i;
  }
  return -1;
}

const error = (status: 400 | 411 | 413 | 431 | 501, reason: string): ParseResult => ({ kind: "error", status, reason });

/**
 * Parses the first request in `buf`; leading blank lines are skipped (supervisorctl's tail -f
 * client sends an extra CRLF after its headers). `scanned`: how many bytes of `buf` an earlier
 * call already searched for the end of the head (a head trickling in is not searched again).
 * Refused, each with its status: a head over MAX_HEADER_BYTES or MAX_HEADER_FIELDS (431), a
 * Content-Length that is not one decimal number (400) or too big (413), conflicting lengths
 * (400), Transfer-Encoding with Content-Length (400: the CL.TE / TE.CL smuggling shape), any
 * other Transfer-Encoding (501: supervisord reads only Content-Length bodies), a POST without
 * Content-Length (411, as supervisord).
 * @example parseRequest(new TextEncoder().encode("GET /logtail/web HTTP/1.1\r\nHost: x\r\n\r\n")).kind // "request"
 */
export function parseRequest(buf: Uint8Array, scanned = 0): ParseResult {
  let start = 0;
  while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++;
  const end = headerEnd(buf, Math.max(start, scanned - 3));
  if (end < 0) return buf.length - start > MAX_HEADER_BYTES ? error(431, "request headers too large") : { kind: "partial", head: false };
  if (end - start > MAX_HEADER_BYTES) return error(431, "request headers too large");
  const [line, ...fields] = latin1.decode(buf.subarray(start, end)).split("\r\n");
  const m = REQUEST_LINE.exec(line!);
  if (!m) return error(400, `expected "METHOD PATH HTTP/1.x", got ${JSON.stringify(line!.slice(0, 80))}`);
  if (fields.length > MAX_HEADER_FIELDS) return error(431, `more than ${MAX_HEADER_FIELDS} header fields`);
  const headers = new Map<string, string>();
  for (const field of fields) {
    const colon = field.indexOf(":");
    if (colon <= 0 || /[\s\x00-\x1f\x7f]/.test(field.slice(0, colon)) || /[\x00-\x08\x0a-\x1f\x7f]/.test(field)) {
      return error(400, "expected NAME: VALUE header lines");
    }
    const name = field.slice(0, colon).toLowerCase();
    const value = field.slice(colon + 1).trim();
    if (name === "content-length" && headers.has(name) && headers.get(name) !== value) return error(400, "conflicting Content-Length headers");
    headers.set(name, headers.has(name) && name !== "content-length" ? `${headers.get(name)}, ${value}` : value);
  }
  const lengthText = headers.get("content-length");
  if (headers.has("transfer-encoding")) {
    return lengthText === undefined
      ? error(501, "Transfer-Encoding request bodies are not supported; send Content-Length")
      : error(400, "Transfer-Encoding and Content-Length together");
  }
  if (lengthText === undefined && m[1] === "POST") return error(411, "a POST needs Content-Length");
  if (lengthText !== undefined && !/^\d+$/.test(lengthText)) return error(400, `expected a Content-Length number, got ${JSON.stringify(lengthText.slice(0, 40))}`);
  const length = Number(lengthText ?? "0");
  if (length > MAX_BODY_BYTES) return error(413, `request body over ${MAX_BODY_BYTES} bytes`);
  const bodyStart = end + 4;
  if (buf.length - bodyStart < length) return { kind: "partial", head: true };
  const version = m[3] === "1" ? "1.1" : "1.0";
  const connection = (headers.get("connection") ?? "").toLowerCase();
  const keepAlive = version === "1.1" ? !connection.includes("close") : connection.includes("keep-alive");
  return {
    kind: "request",
    request: { method: m[1]!, path: m[2]!, version, headers, body: buf.slice(bodyStart, bodyStart + length), keepAlive },
    rest: buf.subarray(bodyStart + length),
  };
}

const REASONS: Readonly<Record<number, string>> = {
  200: "OK", 301: "Moved Permanently", 303: "See Other", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  408: "Request Timeout", 411: "Length Required", 413: "Payload Too Large",
  431: "Request Header Fields Too Large", 500: "Internal Server Error", 501: "Not Implemented", 503: "Service Unavailable",
};

/**
 * A response head; `headers` in order. Content-Length is added when `length` is given.
 * @example responseHead(200, [["Content-Type", "text/xml"]], 12, true)
 */
export function responseHead(status: number, headers: [string, string][], length: number | undefined, keepAlive: boolean): string {
  const lines = [`HTTP/1.1 ${status} ${REASONS[status] ?? "Error"}`, "Server: corral", ...headers.map(([k, v]) => `${k}: ${v}`)];
  if (length !== undefined) lines.push(`Content-Length: ${length}`);
  if (!keepAlive) lines.push("Connection: close");
  return lines.join("\r\n") + "\r\n\r\n";
}

/**
 * Compares two strings in time that depends only on their lengths, not on where they differ.
 * @example sameSecret("Basic dTpw", "Basic dTpw") // true
 */
export function sameSecret(given: string, expected: string): boolean {
  return sameBytes(new TextEncoder().encode(given), new TextEncoder().encode(expected));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) diff |= (a[i % (a.length || 1)] ?? 0) ^ b[i]!;
  return diff === 0 && a.length === b.length;
}

const BASIC = /^basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/**
 * Whether an Authorization header carries `username:password` in the Basic scheme. The scheme
 * name is case-insensitive (RFC 7235: "basic", "BASIC"), as supervisord's auth_handler reads it;
 * the credentials are compared after base64 decoding, in constant time.
 * @example basicAuthMatches("basic dXNlcjoxMjM=", "user", "123") // true
 */
export function basicAuthMatches(header: string | undefined, username: string, password: string): boolean {
  const token = BASIC.exec(header ?? "")?.[1];
  let given: Uint8Array;
  try {
    given = Uint8Array.from(atob(token ?? ""), (c) => c.charCodeAt(0));
  } catch {
    return false;
  }
  return token !== undefined && sameBytes(given, new TextEncoder().encode(`${username}:${password}`));
}

/**
 * The Authorization header value supervisorctl sends for `username`/`password`.
 * @example basicAuth("user", "123") // "Basic dXNlcjoxMjM="
 */
export function basicAuth(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}

/** A complete HTTP response as a client reads it. */
export interface HttpResponse {
  status: number;
  body: Uint8Array;
}

/**
 * The response in `buf` once it is complete (Content-Length or, with `closed`, up to the end); else undefined.
 * @example parseResponseBytes(new TextEncoder().encode("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), false)?.status // 200
 */
export function parseResponseBytes(buf: Uint8Array, closed: boolean): HttpResponse | undefined {
  const end = headerEnd(buf, 0);
  if (end < 0) return undefined;
  const [line, ...fields] = latin1.decode(buf.subarray(0, end)).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(line!)?.[1] ?? 0);
  const lengthField = fields.find((f) => /^content-length:/i.test(f));
  const body = buf.subarray(end + 4);
  if (lengthField === undefined) return closed ? { status, body } : undefined;
  const length = Number(lengthField.slice(lengthField.indexOf(":") + 1).trim());
  return body.length >= length ? { status, body: body.subarray(0, length) } : undefined;
}
