// The web page's one route in the control server's table: which paths are the web's (as
// supervisord's ui handler matches them), the rest of src/web loaded by the first such request.
import type { Route } from "../rpc/server.ts";

/** The web paths, without their leading slashes ("" is index.html, as in supervisord). */
export const WEB_PATHS: ReadonlySet<string> = new Set(["", "index.html", "tail.html", "ok.html", "rows.html", "ready", "metrics"]);

/**
 * The route of the status page, tail.html, ok.html, rows.html, /ready and /metrics.
 * @example webRoute.matches("/index.html") // true
 */
export const webRoute: Route = {
  matches: (path) => WEB_PATHS.has(path.replace(/^\/+/, "")),
  async answer({ request, ctx, send }) {
    const { serveWeb } = await import("./routes.ts");
    const reply = await serveWeb(request, ctx);
    if (!reply) return send(404, [["Content-Type", "text/plain"]], "not found\n");
    return send(reply.status, reply.headers, reply.body);
  },
};
