// The web paths of every control endpoint (behind the same Basic auth as the XML-RPC API):
// supervisord's index.html (also /), tail.html and ok.html (/logtail and /mainlogtail stream in rpc/server.ts), and corral's
// rows.html (the live table) and /metrics. Loaded by the first request for one of them.
import type { HttpRequest } from "../rpc/http.ts";
import { SUPERVISOR_METHODS, type MethodContext } from "../rpc/methods.ts";
import { makeName } from "../rpc/names.ts";
import { selfUsage } from "../os/self-usage.ts";
import { runAction } from "./actions.ts";
import { LIVE_WAIT_MS } from "./assets.ts";
import { parseForm, quote } from "./form.ts";
import { PAGE_HEADERS } from "./html.ts";
import { METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";
import { statusPage, statusRows } from "./status-page.ts";
import { tailPage } from "./tail-page.ts";

/** A whole answer from one of the web paths. */
export interface WebReply {
  status: number;
  headers: [string, string][];
  body: string;
}

const PLAIN: [string, string][] = [["Content-Type", "text/plain"]];
const html = (body: string): WebReply => ({ status: 200, headers: [...PAGE_HEADERS], body });

/** supervisord's get_server_url + "/?message=…": the Host the client used, or a relative URL without one. */
function messageLocation(req: HttpRequest, message: string): string {
  const host = req.headers.get("host")?.trim();
  return `${host ? `http://${host}` : ""}/?message=${quote(message)}`;
}

/**
 * Whether a browser sent this request from another site's page (a form or an <img> there, riding
 * on the credentials the browser remembers): Sec-Fetch-Site says so, or an Origin that is not
 * the Host asked. curl, scripts and bookmarks send neither and are never refused.
 * @example const parsed = parseRequest(new TextEncoder().encode("POST /index.html HTTP/1.1\r\nHost: a:9001\r\nContent-Length: 0\r\nSec-Fetch-Site: cross-site\r\n\r\n")); if (parsed.kind === "request") fromAnotherSite(parsed.request) // true
 */
export function fromAnotherSite(req: HttpRequest): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return origin === "null";
  return origin.replace(/^[a-z]+:\/\//i, "") !== (req.headers.get("host") ?? "").trim();
}

/** index.html: an action then a redirect to the message (301 as supervisord; 303 after a POST), else the page. */
async function index(req: HttpRequest, ctx: MethodContext, query: string): Promise<WebReply> {
  const form = parseForm(query, req.method === "POST" ? new TextDecoder().decode(req.body) : "");
  const action = form.get("action");
  if (action === undefined) return html(statusPage(ctx, form.get("message")));
  if (fromAnotherSite(req)) return { status: 403, headers: PLAIN, body: "refused: an action asked from another site's page\n" };
  const message = await runAction(ctx, action, form.get("processname"), () => new Date(ctx.port.now()));
  if (message === undefined) return { status: 400, headers: PLAIN, body: `unknown action ${JSON.stringify(action)}\n` };
  return { status: req.method === "POST" ? 303 : 301, headers: [...PAGE_HEADERS, ["Location", messageLocation(req, message)]], body: "" };
}

/** GET /ready, for an HTTP readiness probe: 200 once every autostart process is RUNNING and ready (corral.getReadiness), else 503 naming why. */
async function ready(ctx: MethodContext): Promise<WebReply> {
  const all = (await SUPERVISOR_METHODS["corral.getReadiness"]!.run(ctx, [])) as { name: string; group: string; ready: boolean; reason: string }[];
  const waiting = all.filter((p) => !p.ready).map((p) => `${makeName(p.group, p.name)}: ${p.reason}\n`);
  return waiting.length ? { status: 503, headers: PLAIN, body: waiting.join("") } : { status: 200, headers: PLAIN, body: "ready\n" };
}

/**
 * Answers a request for a web path (WEB_PATHS); undefined for any other path or method (a 404).
 * @example const parsed = parseRequest(new TextEncoder().encode("GET /ok.html HTTP/1.1\r\nHost: x\r\n\r\n")); if (parsed.kind === "request") await serveWeb(parsed.request, { port, logs }) // { status: 200, headers: [["Content-Type", "text/plain"]], body: "OK" }
 */
export async function serveWeb(req: HttpRequest, ctx: MethodContext): Promise<WebReply | undefined> {
  if (req.method !== "GET" && req.method !== "POST") return undefined;
  const q = req.path.indexOf("?");
  const query = q < 0 ? "" : req.path.slice(q + 1);
  let path: string;
  try { path = decodeURIComponent(q < 0 ? req.path : req.path.slice(0, q)).replace(/^\/+/, "") || "index.html"; } catch { return undefined; }
  switch (path) {
    case "index.html": return index(req, ctx, query);
    case "tail.html": return html(await tailPage(ctx, parseForm(query, "")));
    case "ok.html": return { status: 200, headers: PLAIN, body: "OK" };
    case "rows.html":
      await ctx.port.changed(LIVE_WAIT_MS);
      return html(statusRows(ctx));
    case "ready": return ready(ctx);
    case "metrics":
      if (req.method !== "GET") return undefined;
      return { status: 200, headers: [["Content-Type", METRICS_CONTENT_TYPE]], body: metricsText(ctx.port, selfUsage()) };
  }
  return undefined;
}
