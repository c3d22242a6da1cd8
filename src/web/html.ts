// The page shell every corral page shares: escaping, the head with the inline stylesheet and
// script (src/web/assets.ts), the headers supervisord sends with its pages.
import { SCRIPT, STYLE } from "./assets.ts";

const ENTITIES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/**
 * Text made safe for HTML content and quoted attribute values.
 * @example escape('<a href="x">') // "&lt;a href=&quot;x&quot;&gt;"
 */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** supervisord's MeldView headers: HTML, never cached. */
export const PAGE_HEADERS: readonly [string, string][] = [
  ["Content-Type", "text/html;charset=utf-8"], ["Pragma", "no-cache"], ["Cache-Control", "no-cache"],
  ["Expires", "Thu, 01 Jan 1970 00:00:00 GMT"],
];

/**
 * A whole page: `title` escaped, `body` already HTML.
 * @example page("Status", "<main>…</main>") // "<!doctype html><html lang=en>…"
 */
export function page(title: string, body: string): string {
  return `<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">` +
    `<title>${escape(title)}</title><style>${STYLE}</style></head><body>${body}<script>${SCRIPT}</script></body></html>`;
}
