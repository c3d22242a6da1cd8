// POST /RPC2 (any path starting with it, as supervisord): one XML-RPC call, its answer streamed.
import { RPC_PATH } from "./constants.ts";
import { dispatchStreamed } from "./dispatch.ts";
import type { Route } from "./server.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const TEXT: [string, string][] = [["Content-Type", "text/plain"]];

/**
 * The XML-RPC route: a request that is not POST, not UTF-8 or not XML-RPC is a 400 that closes
 * the connection (supervisord's request.error(400)), a bug inside a method a 500.
 * @example ROUTES.includes(rpcRoute) // true
 */
export const rpcRoute: Route = {
  matches: (path) => path.startsWith(RPC_PATH),
  async answer({ request, ctx, send, stream }) {
    if (request.method !== "POST") return send(400, TEXT, "XML-RPC needs POST\n");
    let body: string;
    try {
      body = utf8.decode(request.body);
    } catch {
      return send(400, TEXT, "invalid XML-RPC request: the body is not UTF-8\n", false);
    }
    const reply = await dispatchStreamed(ctx, body);
    if (reply.status !== 200) {
      if (reply.status === 500) ctx.warn?.(`control API: ${reply.body.trim()}`);
      return send(reply.status, TEXT, reply.body, false);
    }
    return stream(200, [["Content-Type", "text/xml"]], reply.pieces);
  },
};
