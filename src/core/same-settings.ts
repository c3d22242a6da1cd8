// When a re-read program counts as changed: supervisord's ProcessConfig.__eq__ compares the
// settings, not where they were written. Moving a section, deleting one above it or adding a
// comment changes only its file:line, which must not restart it on `update` or SIGHUP.

/** Keys that say where a setting was written, not what it is. */
const PLACE_KEYS: ReadonlySet<string> = new Set(["origin"]);

/**
 * One comparable text of a program's settings: object keys sorted (an environment= written in
 * another order is the same), `origin` left out, arrays kept in order.
 * @example settingsKey({ command: ["sleep", "1"], origin: "a.conf:3" }) === settingsKey({ origin: "a.conf:9", command: ["sleep", "1"] }) // true
 */
export function settingsKey(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (PLACE_KEYS.has(key)) return undefined;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/**
 * Whether two programs have the same settings (ProcessConfig.__eq__).
 * @example sameSettings({ spec: { name: "web", origin: "a.conf:1" } }, { spec: { name: "web", origin: "a.conf:7" } }) // true
 */
export function sameSettings(a: unknown, b: unknown): boolean {
  return settingsKey(a) === settingsKey(b);
}
