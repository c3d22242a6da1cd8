// The request's form as supervisord's web.py builds it, and the two string helpers its messages
// and links use (Python's urllib.quote and time.ctime).

/** Field name to value. */
export type Form = Map<string, string>;

/** Python's parse_qsl with keep_blank_values=False: `+` is a space, blank values are dropped. */
function pairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split(/[&;]/)) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    const decode = (s: string) => {
      try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch { return s; }
    };
    const value = decode(part.slice(eq + 1));
    if (value !== "") out.push([decode(part.slice(0, eq)), value]);
  }
  return out;
}

/**
 * supervisord's form: the query's fields (the first of duplicates), then an urlencoded POST
 * body's fields over them (the last of duplicates).
 * @example parseForm("processname=web&action=stop", "").get("action") // "stop"
 */
export function parseForm(query: string, body: string): Form {
  const form: Form = new Map();
  for (const [k, v] of pairs(query)) if (!form.has(k)) form.set(k, v);
  for (const [k, v] of pairs(body)) form.set(k, v);
  return form;
}

/**
 * Python's urllib.parse.quote: every byte but letters, digits, `_.-~` and `/` as %XX.
 * @example quote("web:web 1") // "web%3Aweb%201"
 */
export function quote(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%2F/g, "/");
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/**
 * Python's time.ctime in local time: "Sun Dec  6 23:03:35 2026".
 * @example ctime(new Date(2026, 11, 6, 23, 3, 35)) // "Sun Dec  6 23:03:35 2026"
 */
export function ctime(d: Date): string {
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2)} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${d.getFullYear()}`;
}
