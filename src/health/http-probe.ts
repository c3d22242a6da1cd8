// http:// and https:// probes: healthy means status 200 after at most 10 redirects (sipid's
// Go client followed them too). The body is never read; certificates are verified.
import type { Os } from "../os/types.ts";
import { formatDuration } from "../core/duration.ts";
import { HEALTHY, unhealthy, type ProbeResult } from "./result.ts";

/** The one status that counts as healthy, as in sipid. */
const HTTP_OK = 200;
/** Redirects followed before giving up, as Go's http.Client does. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * GETs `url`, following redirects, all within `timeoutMs`.
 * @example await httpProbe(os, "http://127.0.0.1:8080/health", 5000) // { healthy: true, ... }
 */
export async function httpProbe(os: Os, url: string, timeoutMs: number): Promise<ProbeResult> {
  const deadline = os.now() + timeoutMs;
  let target = new URL(url);
  for (let redirects = 0; ; redirects++) {
    const left = deadline - os.now();
    const answer = left > 0 ? await os.httpStatus(target, left) : { timedOut: true as const };
    if ("timedOut" in answer) return unhealthy(`no answer within ${formatDuration(timeoutMs)}`);
    if ("error" in answer) return unhealthy(`connection failed (${answer.error})`);
    if (!REDIRECTS.has(answer.status) || answer.location === undefined) {
      return answer.status === HTTP_OK ? HEALTHY : unhealthy(`HTTP ${answer.status}`);
    }
    if (redirects === MAX_REDIRECTS) return unhealthy(`more than ${MAX_REDIRECTS} redirects`);
    target = new URL(answer.location, target);
    if (target.protocol !== "http:" && target.protocol !== "https:") return unhealthy(`redirected to ${target.href}`);
  }
}
