// What one probe found: the yes/no that decides, and a few words for the operator.

/** One probe's outcome; `detail` says why it failed ("HTTP 500", "connection failed (ECONNREFUSED)"). */
export interface ProbeResult {
  healthy: boolean;
  detail: string;
}

/** The outcome of every successful probe. */
export const HEALTHY: ProbeResult = { healthy: true, detail: "healthy" };

/**
 * A failed probe, with its reason.
 * @example unhealthy("HTTP 503")
 */
export function unhealthy(detail: string): ProbeResult {
  return { healthy: false, detail };
}
