// One HTTP connection of the control server: requests in order, POST /RPC2 to the method
// table, GET /logtail/NAME[/CHANNEL] streamed, basic auth, errors answered and closed.
// Pure over the byte stream (the Os side owns sockets) and an interval timer.
import { logSource } from "./logs.ts";
import { AUTH_REALM, LOGTAIL_HEAD_BYTES, LOGTAIL_PATH, LOGTAIL_POLL_MS, MAX_BODY_BYTES, MAX_HEADER_BYTES, RPC_PATH } from "./constants.ts";
import { dispatch } from "./dispatch.ts";
import { basicAuth, parseRequest, responseHead, sameSecret, type HttpRequest } from "./http.ts";
import type { MethodContext } from "./methods.ts";
import { splitName } from "./names.ts";
import { concat } from "../bytes.ts";

/** The socket side of one connection. */
export interface ByteStream {
  write(data: Uint8Array): void;
  /** Closes once what was written is sent. */
  end(): void;
}

/** Basic-auth credentials from [unix_http_server] / [inet_http_server]. */
export interface Credentials {
  username: string;
  password: string;
}

/** What a connection needs besides its stream. */
export interface ServerContext extends MethodContext {
  /** Undefined: no authentication. */
  credentials?: Credentials;
  /** Calls `fn` every `ms`; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
  /** Reports a problem worth one warning line (never request bodies or secrets). */
  warn?(message: string): void;
}

/** The events a connection takes from its socket. */
export interface ConnectionHandler {
  data(chunk: Uint8Array): void;
  /** The peer went away (or the socket failed). */
  closed(): void;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Serves one connection: feed it the socket's bytes; it writes responses to `stream`.
 * @example
 * const out: Uint8Array[] = [];
 * const conn = serveConnection({ write: (b) => out.push(b), end: () => {} }, { port, logs, every: (ms, fn) => { const t = setInterval(fn, ms); return () => clearInterval(t); } });
 * conn.data(new TextEncoder().encode("GET /RPC2 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
 * new TextDecoder().decode(out[0]) // "HTTP/1.1 400 Bad Request\r\n…XML-RPC needs POST\n"
 */
export function serveConnection(stream: ByteStream, ctx: ServerContext): ConnectionHandler {
  let buffered: Uint8Array = new Uint8Array(0);
  let busy = false;
  let open = true;
  let stopTail: (() => void) | undefined;
  const expectedAuth = ctx.credentials ? basicAuth(ctx.credentials.username, ctx.credentials.password) : undefined;

  const send = (status: number, headers: [string, string][], body: string, keepAlive: boolean) => {
    if (!open) return;
    const bytes = enc.encode(body);
    stream.write(concat(enc.encode(responseHead(status, headers, bytes.length, keepAlive)), bytes));
    if (!keepAlive) close();
  };
  const close = () => {
    if (!open) return;
    open = false;
    stopTail?.();
    stream.end();
  };
  const fail = (status: number, reason: string) => send(status, [["Content-Type", "text/plain"]], `${reason}\n`, false);

  const handle = async (req: HttpRequest): Promise<void> => {
    if (expectedAuth && !sameSecret(req.headers.get("authorization") ?? "", expectedAuth)) {
      return send(401, [["WWW-Authenticate", `Basic realm="${AUTH_REALM}"`], ["Content-Type", "text/plain"]], "authentication required\n", req.keepAlive);
    }
    const path = req.path.split("?")[0]!;
    if (path.startsWith(RPC_PATH)) {
      if (req.method !== "POST") return send(400, [["Content-Type", "text/plain"]], "XML-RPC needs POST\n", req.keepAlive);
      const reply = await dispatch(ctx, dec.decode(req.body));
      if (reply.status === 500) ctx.warn?.(`control API: ${reply.body.trim()}`);
      return send(reply.status, [["Content-Type", reply.status === 200 ? "text/xml" : "text/plain"]], reply.body, req.keepAlive && reply.status === 200);
    }
    if (path.startsWith(LOGTAIL_PATH)) return logtail(req, path);
    send(404, [["Content-Type", "text/plain"]], "not found\n", req.keepAlive);
  };

  // supervisord's logtail_handler and tail_f_producer: the last 1 KiB, then whatever is added.
  const logtail = (req: HttpRequest, rawPath: string) => {
    if (req.method !== "GET") return fail(400, "logtail needs GET");
    let path: string;
    try { path = decodeURIComponent(rawPath); } catch { return fail(400, "bad %-escape in the path"); }
    const rest = path.replace(/^\/+/, "").split("/").slice(1).join("/");
    const slash = rest.indexOf("/");
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const channel = slash < 0 ? "stdout" : rest.slice(slash + 1);
    const { group, process } = splitName(name);
    const info = ctx.port.processes().find((p) => p.group === group && p.name === process);
    const file = info && (channel === "stdout" || channel === "stderr") ? logSource(info, channel) : undefined;
    const size = file ? ctx.logs.size(file) : undefined;
    if (!file || size === undefined) return send(404, [["Content-Type", "text/plain"]], "not found\n", req.keepAlive);
    const chunked = req.version === "1.1";
    const head = [["Content-Type", "text/plain;charset=utf-8"], ["X-Accel-Buffering", "no"]] as [string, string][];
    if (chunked) head.push(["Transfer-Encoding", "chunked"]);
    stream.write(enc.encode(responseHead(200, head, undefined, chunked)));
    const emit = (bytes: Uint8Array) => {
      if (!bytes.length || !open) return;
      stream.write(chunked ? concat(concat(enc.encode(`${bytes.length.toString(16)}\r\n`), bytes), enc.encode("\r\n")) : bytes);
    };
    let inode = ctx.logs.inode(file);
    let sent = size >= LOGTAIL_HEAD_BYTES ? size - LOGTAIL_HEAD_BYTES : 0;
    const more = () => {
      const now = ctx.logs.inode(file);
      if (now !== undefined && now !== inode) {
        inode = now; // rotated: follow the new file from its start
        sent = 0;
      }
      const current = ctx.logs.size(file);
      if (current === undefined) return;
      if (current < sent) {
        sent = 0;
        return emit(enc.encode("==> File truncated <==\n"));
      }
      if (current > sent) {
        try { emit(ctx.logs.read(file, sent, current - sent)); } catch { return; }
        sent = current;
      }
    };
    more();
    stopTail = ctx.every(LOGTAIL_POLL_MS, more);
  };

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      while (open && !stopTail) {
        const parsed = parseRequest(buffered);
        if (parsed.kind === "partial") break;
        if (parsed.kind === "error") {
          fail(parsed.status, parsed.reason);
          break;
        }
        buffered = parsed.rest;
        await handle(parsed.request);
      }
    } catch (e) {
      ctx.warn?.(`control API: ${e instanceof Error ? e.message : String(e)}`);
      fail(500, "internal error");
    } finally {
      busy = false;
    }
  };

  return {
    data(chunk) {
      if (!open || stopTail) return; // a tail -f connection only streams
      buffered = concat(buffered, chunk);
      if (buffered.length > MAX_HEADER_BYTES + MAX_BODY_BYTES) return fail(413, "request too large");
      void pump();
    },
    closed() {
      open = false;
      stopTail?.();
    },
  };
}
