// http:// and https:// probes: healthy means status 200 after at most 10 redirects (sipid's
// Go client followed them too). The body is never read; certificates are verified.
// node:http rather than fetch: fetch refuses "bad ports" (6000, 6667, ...) a service may use.
import { get as httpGet, type IncomingMessage } from "node:http";
import { get as httpsGet } from "node:https";
import { formatDuration } from "../core/duration.ts";
import { HEALTHY, unhealthy, type ProbeResult } from "./result.ts";

/** The one status that counts as healthy, as in sipid. */
const HTTP_OK = 200;
/** Redirects followed before giving up, as Go's http.Client does. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Answer = { status: number; location: string | undefined } | { error: string };

/**
 * GETs `url`, following redirects, all within `timeoutMs`.
 * @example await httpProbe("http://127.0.0.1:8080/health", 5000) // { healthy: true, ... }
 */
export async function httpProbe(url: string, timeoutMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  let target = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const left = deadline - Date.now();
    const answer = left > 0 ? await statusOf(target, left) : { error: `no answer within ${formatDuration(timeoutMs)}` };
    if ("error" in answer) return unhealthy(answer.error);
    if (!REDIRECTS.has(answer.status) || answer.location === undefined) {
      return answer.status === HTTP_OK ? HEALTHY : unhealthy(`HTTP ${answer.status}`);
    }
    if (redirects === MAX_REDIRECTS) return unhealthy(`more than ${MAX_REDIRECTS} redirects`);
    target = new URL(answer.location, target);
    if (target.protocol !== "http:" && target.protocol !== "https:") return unhealthy(`redirected to ${target.href}`);
  }
}

function statusOf(url: URL, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve) => {
    const get = url.protocol === "https:" ? httpsGet : httpGet;
    const request = get(url, { agent: false }, (response: IncomingMessage) => {
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
      request.destroy(); // the body is not wanted
    });
    const timer = setTimeout(() => {
      resolve({ error: `no answer within ${formatDuration(timeoutMs)}` });
      request.destroy();
    }, timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => resolve({ error: `connection failed (${err.code ?? err.message})` }));
    request.on("close", () => clearTimeout(timer));
  });
}
