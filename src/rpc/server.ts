// One HTTP connection of the control server: requests in order, each answered by the first
// route whose path matches (ROUTES: POST /RPC2 to the method table, GET /logtail/NAME streamed),
// basic auth, the deadlines of constants.ts, answers written as the client reads them.
// Pure over the byte stream (the Os side owns sockets and calls sweep() every second).
import {
  AUTH_REALM, BODY_TIMEOUT_MS, CLOSE_LINGER_MS, HEAD_TIMEOUT_MS, IDLE_TIMEOUT_MS, MAX_BODY_BYTES, MAX_HEADER_BYTES,
  SEND_STALL_TIMEOUT_MS, STREAM_CHUNK_BYTES,
} from "./constants.ts";
import { basicAuthMatches, parseRequest, responseHead, type HttpRequest } from "./http.ts";
import type { MethodContext } from "./methods.ts";
import { logtailRoute } from "./logtail-route.ts";
import { rpcRoute } from "./rpc-route.ts";
import { concat } from "../bytes.ts";

/** The socket side of one connection. */
export interface ByteStream {
  /** Queues bytes; false once the peer is behind (wait for drained() before writing more). */
  write(data: Uint8Array): boolean;
  /** Resolves once the queued bytes have gone to the kernel, or the connection is gone. */
  drained(): Promise<void>;
  /** Closes once what was written is sent. */
  end(): void;
  /** Drops the connection now, whatever is still queued. */
  destroy(): void;
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
  /** Milliseconds on a monotonic clock (the deadlines are measured on it). */
  now(): number;
  /** Reports a problem worth one warning line (never request bodies or secrets). */
  warn?(message: string): void;
}

/** The events a connection takes from its socket and its listener. */
export interface ConnectionHandler {
  data(chunk: Uint8Array): void;
  /** The peer closed its side (half-close): answer what was asked, then close. */
  ended(): void;
  /** The socket is gone (closed, reset or failed). */
  closed(): void;
  /** Checks the deadlines; the listener calls it every CONNECTION_SWEEP_MS. */
  sweep(): void;
  /**
   * When this connection began waiting for a request (idle, or a request still arriving), on
   * ctx.now()'s clock; -Infinity once it is closing; undefined while it answers or streams.
   * A full listener evicts the smallest first.
   */
  waitingSince(): number | undefined;
}

/** A long-lived answer (`tail -f`): bytes go out as they come, while the client keeps reading. */
export interface Follower {
  /** Sends bytes; false when the client is behind (send nothing more until behind() is false). */
  write(bytes: Uint8Array): boolean;
  behind(): boolean;
}

/** One request being answered, as a route sees it. */
export interface Exchange {
  request: HttpRequest;
  /** The request path without its query string, not %-decoded. */
  path: string;
  ctx: ServerContext;
  /** A whole answer with Content-Length; the connection stays open when `keepAlive` (default: as the request asks). */
  send(status: number, headers: [string, string][], body: string, keepAlive?: boolean): Promise<void>;
  /** An answer in pieces, written as the client reads it: whole with Content-Length up to STREAM_CHUNK_BYTES, else chunked. */
  stream(status: number, headers: [string, string][], pieces: AsyncIterable<string> | Iterable<string>): Promise<void>;
  /** A 200 that never ends: writes the head and calls `poll` every `ms` until the client goes. */
  follow(headers: [string, string][], ms: number, poll: (out: Follower) => void): void;
}

/** A handler for the requests whose path it matches (supervisord's handlers match a prefix). */
export interface Route {
  matches(path: string): boolean;
  answer(exchange: Exchange): Promise<void> | void;
}

/** Every route, tried in order; a GET page or endpoint is one more line here. */
export const ROUTES: readonly Route[] = [rpcRoute, logtailRoute];

const enc = new TextEncoder();
const EMPTY = new Uint8Array(0);
const isBlank = (buf: Uint8Array) => buf.every((b) => b === 13 || b === 10);
const CRLF = enc.encode("\r\n");
/** One chunk of a chunked body, as three writes (no copy of the bytes). */
const chunkOf = (bytes: Uint8Array) => [enc.encode(`${bytes.length.toString(16)}\r\n`), bytes, CRLF];
const LAST_CHUNK = enc.encode("0\r\n\r\n");
/** Pieces shorter than this are joined before they are encoded; longer ones are encoded alone. */
const JOIN_BELOW_CHARS = 16 * 1024;

/**
 * Serves one connection: feed it the socket's events; it writes answers to `stream`.
 * @example
 * const out: Uint8Array[] = [];
 * const stream = { write: (b: Uint8Array) => (out.push(b), true), drained: async () => {}, end: () => {}, destroy: () => {} };
 * const conn = serveConnection(stream, { port, logs, now: () => performance.now(), every: (ms, fn) => { const t = setInterval(fn, ms); return () => clearInterval(t); } });
 * conn.data(new TextEncoder().encode("GET /RPC2 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
 * new TextDecoder().decode(out[0]) // "HTTP/1.1 400 Bad Request\r\n…XML-RPC needs POST\n"
 */
export function serveConnection(stream: ByteStream, ctx: ServerContext, routes: readonly Route[] = ROUTES): ConnectionHandler {
  // What came of the next requests: `input` grows by doubling (a 1 MiB body costs one copy per
  // doubling, not one per read) and is let go once consumed, so an idle connection holds nothing.
  let input: Uint8Array = EMPTY;
  let length = 0;
  let scanned = 0;
  const append = (chunk: Uint8Array) => {
    if (length === 0) {
      input = chunk.slice();
    } else {
      if (length + chunk.length > input.length) {
        const grown = new Uint8Array(Math.max(length + chunk.length, input.length * 2));
        grown.set(input.subarray(0, length));
        input = grown;
      }
      input.set(chunk, length);
    }
    length += chunk.length;
  };
  const consume = (rest: Uint8Array) => {
    if (rest.length === 0 || isBlank(rest)) input = EMPTY;
    else input = rest.slice();
    length = input.length;
  };
  let state: "waiting" | "answering" | "following" | "closing" = "waiting";
  let since = ctx.now();
  /** First byte of the request being read, and the end of its head while its body is read. */
  let requestFrom: number | undefined;
  let bodyFrom: number | undefined;
  /** Since when an answer waits for the client to read. */
  let blockedSince: number | undefined;
  let busy = false;
  let peerEnded = false;
  let gone = false;
  let responding = false;
  let stopFollow: (() => void) | undefined;

  const current = () => state;
  const enter = (next: typeof state) => {
    state = next;
    since = ctx.now();
  };
  const close = () => {
    if (state === "closing") return;
    enter("closing");
    stopFollow?.();
    stream.end();
  };
  const drop = () => {
    enter("closing");
    stopFollow?.();
    stream.destroy();
  };
  /** Writes, then waits while the client is behind: one answer's bytes in memory, not more. */
  const writeOut = async (...parts: Uint8Array[]) => {
    let ok = true;
    for (const part of parts) if (!gone) ok = stream.write(part);
    if (gone || ok) return;
    blockedSince = ctx.now();
    await stream.drained();
    blockedSince = undefined;
  };
  const send = async (status: number, headers: [string, string][], body: string | Uint8Array, keepAlive: boolean) => {
    if (gone || state === "closing") return;
    const bytes = typeof body === "string" ? enc.encode(body) : body;
    responding = true;
    const done = writeOut(concat(enc.encode(responseHead(status, headers, bytes.length, keepAlive)), bytes));
    if (!keepAlive) close();
    await done;
  };
  const fail = (status: number, reason: string) => send(status, [["Content-Type", "text/plain"]], `${reason}\n`, false);

  const exchange = (request: HttpRequest): Exchange => ({
    request, ctx, path: request.path.split("?")[0]!,
    send: (status, headers, body, keepAlive = request.keepAlive) => send(status, headers, body, keepAlive),
    async stream(status, headers, pieces) {
      const chunked = request.version === "1.1";
      // Small pieces are joined into `text`; a big one (a slice of a log read) is encoded on its
      // own, never copied into a joined string first.
      let text = "";
      let out: Uint8Array[] = [];
      let outBytes = 0;
      let started = false;
      const encoded = (piece: string) => {
        const bytes = enc.encode(piece);
        out.push(bytes);
        outBytes += bytes.length;
      };
      const take = (piece: string) => {
        if (piece.length < JOIN_BELOW_CHARS) {
          if ((text += piece).length < JOIN_BELOW_CHARS) return;
          piece = text;
        } else if (text) {
          encoded(text);
        }
        text = "";
        encoded(piece);
      };
      const flush = async () => {
        if (!started) {
          started = responding = true;
          const head = chunked ? [...headers, ["Transfer-Encoding", "chunked"] as [string, string]] : headers;
          await writeOut(enc.encode(responseHead(status, head, undefined, chunked && request.keepAlive)));
        }
        const parts = out;
        out = [];
        outBytes = 0;
        await writeOut(...(chunked ? parts.flatMap(chunkOf) : parts));
      };
      const stopped = () => gone || state === "closing";
      if (Symbol.asyncIterator in pieces) {
        for await (const piece of pieces) {
          if (stopped()) break; // the pieces' own cleanup still runs
          take(piece);
          if (outBytes >= STREAM_CHUNK_BYTES) await flush();
        }
      } else {
        // a sync iterable is taken without a turn of the event loop per piece
        for (const piece of pieces) {
          if (stopped()) break;
          take(piece);
          if (outBytes >= STREAM_CHUNK_BYTES) await flush();
        }
      }
      if (stopped()) return;
      if (!started) {
        if (!out.length) return send(status, headers, text, request.keepAlive); // the usual small answer
        if (text) encoded(text);
        return send(status, headers, out.reduce(concat), request.keepAlive);
      }
      if (text) encoded(text);
      if (outBytes) await flush();
      if (chunked) await writeOut(LAST_CHUNK);
      if (!chunked || !request.keepAlive) close();
    },
    follow(headers, ms, poll) {
      const chunked = request.version === "1.1";
      const head = chunked ? [...headers, ["Transfer-Encoding", "chunked"] as [string, string]] : headers;
      enter("following");
      responding = true;
      const out: Follower = {
        behind: () => blockedSince !== undefined,
        write(bytes) {
          if (!bytes.length || gone || state !== "following") return !gone;
          let ok = true;
          for (const part of chunked ? chunkOf(bytes) : [bytes]) ok = stream.write(part);
          if (ok) return true;
          blockedSince ??= ctx.now();
          void stream.drained().then(() => { blockedSince = undefined; });
          return false;
        },
      };
      stream.write(enc.encode(responseHead(200, head, undefined, chunked)));
      poll(out);
      const stop = ctx.every(ms, () => { if (!out.behind()) poll(out); });
      stopFollow = stop;
    },
  });

  const handle = async (req: HttpRequest): Promise<void> => {
    const { credentials } = ctx;
    if (credentials && !basicAuthMatches(req.headers.get("authorization"), credentials.username, credentials.password)) {
      return send(401, [["WWW-Authenticate", `Basic realm="${AUTH_REALM}"`], ["Content-Type", "text/plain"]], "authentication required\n", req.keepAlive);
    }
    const ex = exchange(req);
    const route = routes.find((r) => r.matches(ex.path));
    if (!route) return send(404, [["Content-Type", "text/plain"]], "not found\n", req.keepAlive);
    await route.answer(ex);
  };

  const pump = async () => {
    if (busy) return;
    busy = true;
    try {
      while (state === "waiting" && !gone) {
        const buffered = input.subarray(0, length);
        const parsed = parseRequest(buffered, scanned);
        if (parsed.kind === "partial") {
          if (parsed.head) bodyFrom ??= ctx.now();
          else scanned = buffered.length; // the head's end is not in what came so far
          if (peerEnded) {
            if (isBlank(buffered)) close();
            else await fail(400, "the client closed its side before the request was complete");
          }
          break;
        }
        if (parsed.kind === "error") {
          await fail(parsed.status, parsed.reason);
          break;
        }
        consume(parsed.rest);
        scanned = 0;
        bodyFrom = undefined;
        requestFrom = length === 0 ? undefined : ctx.now();
        enter("answering");
        responding = false;
        await handle(parsed.request);
        if (current() === "answering") enter("waiting"); // not when the route closed or follows

      }
    } catch (e) {
      ctx.warn?.(`control API: ${e instanceof Error ? e.message : String(e)}`);
      if (responding) drop();
      else await fail(500, "internal error").catch(drop);
    } finally {
      busy = false;
    }
  };

  return {
    data(chunk) {
      if (state === "closing" || state === "following" || gone) return; // a tail -f connection only streams
      append(chunk);
      if (requestFrom === undefined && !isBlank(chunk)) requestFrom = ctx.now();
      // Only a client that sends more requests while not reading its answers gets here: a
      // request on its own is refused by the parser (431/413) before this.
      if (length > MAX_HEADER_BYTES + MAX_BODY_BYTES) return drop();
      void pump();
    },
    ended() {
      peerEnded = true;
      if (state === "following") close();
      else void pump();
    },
    closed() {
      gone = true;
      stopFollow?.();
      if (state !== "closing") enter("closing");
    },
    sweep() {
      const now = ctx.now();
      if (state === "closing") {
        if (!gone && now - since > CLOSE_LINGER_MS) stream.destroy();
        return;
      }
      if (blockedSince !== undefined && now - blockedSince > SEND_STALL_TIMEOUT_MS) return drop();
      if (state !== "waiting" || busy) return;
      if (bodyFrom !== undefined) {
        if (now - bodyFrom > BODY_TIMEOUT_MS) void fail(408, `request body not received within ${BODY_TIMEOUT_MS / 1000} s`);
      } else if (requestFrom !== undefined) {
        if (now - requestFrom > HEAD_TIMEOUT_MS) void fail(408, `request head not received within ${HEAD_TIMEOUT_MS / 1000} s`);
      } else if (now - since > IDLE_TIMEOUT_MS) {
        close();
      }
    },
    waitingSince() {
      if (state === "closing") return -Infinity;
      return state === "waiting" && !busy ? since : undefined;
    },
  };
}
