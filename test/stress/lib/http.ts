// A raw HTTP client for hostile requests (bytes as given, no normalising), the responses it got
// split one by one, and a strict XML check of answers through Python's expat (xmlrpc.client).
import { spawnSync } from "node:child_process";
import { connect, type Socket } from "node:net";

/** Where the control server listens. */
export type Address = { path: string } | { port: number };

/** One response as received. */
export interface RawResponse {
  status: number;
  head: string;
  body: Buffer;
}

/** What a raw exchange got: every byte, and whether the server closed. */
export interface Exchanged {
  got: Buffer;
  closed: boolean;
}

/** Opens a connection (errors swallowed: a refused or reset connection is a result, not a crash). */
export function open(address: Address): Socket {
  const s = "path" in address ? connect(address.path) : connect(address.port, "127.0.0.1");
  s.on("error", () => {});
  return s;
}

/**
 * Sends `data` (a list: written one after the other), then half-closes when asked, and collects
 * what comes back until the server closes, `enough` says so, or `ms` pass.
 * @example await exchange({ path: sock }, ["GARBAGE\r\n\r\n"]) // { got: <HTTP/1.1 400 …>, closed: true }
 */
export function exchange(address: Address, data: (string | Buffer)[], options: { halfClose?: boolean; ms?: number; enough?: (got: Buffer) => boolean } = {}): Promise<Exchanged> {
  return new Promise((resolve) => {
    const s = open(address);
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ got: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(() => finish(false), options.ms ?? 10_000);
    s.on("connect", () => {
      for (const d of data) s.write(d);
      if (options.halfClose) s.end();
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      if (options.enough?.(Buffer.concat(chunks))) finish(false);
    });
    s.on("close", () => finish(true));
  });
}

/**
 * Splits what a connection got into responses (Content-Length, chunked, or up to the close).
 * @example responsesIn(Buffer.from("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))[0]?.status // 200
 */
export function responsesIn(buf: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf("\r\n\r\n", at);
    if (end < 0) break;
    const head = buf.subarray(at, end).toString("latin1");
    const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1] ?? 0);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    let bodyStart = end + 4;
    if (length !== undefined) {
      out.push({ status, head, body: buf.subarray(bodyStart, bodyStart + Number(length)) });
      at = bodyStart + Number(length);
    } else if (/\r\ntransfer-encoding: *chunked/i.test(head)) {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf("\r\n", bodyStart);
        if (lineEnd < 0) return [...out, { status, head, body: Buffer.concat(parts) }];
        const size = parseInt(buf.subarray(bodyStart, lineEnd).toString("latin1"), 16);
        if (!(size > 0)) { bodyStart = lineEnd + 4; break; }
        parts.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
        bodyStart = lineEnd + 2 + size + 2;
      }
      out.push({ status, head, body: Buffer.concat(parts) });
      at = bodyStart;
    } else {
      out.push({ status, head, body: buf.subarray(bodyStart) });
      break;
    }
  }
  return out;
}

/**
 * Which of `bodies` Python's xmlrpc.client (expat, as supervisorctl) cannot parse: their
 * indexes with the error, in one python3 process. A fault parses (it is a valid answer).
 * @example strictXmlFailures([Buffer.from("<methodResponse>…")]) // []
 */
export function strictXmlFailures(bodies: readonly Buffer[]): { index: number; error: string }[] {
  const script = `
import sys, base64, json, xmlrpc.client
bad = []
for i, line in enumerate(sys.stdin):
    try:
        xmlrpc.client.loads(base64.b64decode(line))
    except xmlrpc.client.Fault:
        pass
    except Exception as e:
        bad.append({"index": i, "error": repr(e)[:200]})
print(json.dumps(bad))
`;
  const input = bodies.map((b) => b.toString("base64")).join("\n") + "\n";
  const r = spawnSync("python3", ["-c", script], { input, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return [{ index: -1, error: `python3 failed: ${r.stderr}` }];
  return JSON.parse(r.stdout.toString()) as { index: number; error: string }[];
}
