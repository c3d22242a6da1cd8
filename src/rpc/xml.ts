// A small XML reader: just enough XML for XML-RPC (elements, text, entities, CDATA, comments),
// refusing DOCTYPE and entity declarations so no request can expand into more than it is.

/** One element: its tag, its child elements and the text directly inside it. */
export interface XmlElement {
  tag: string;
  children: XmlElement[];
  text: string;
}

/**
 * The XML is malformed or not what XML-RPC allows; `message` says where and what.
 * @example new XmlError("unexpected end of input").name // "XmlError"
 */
export class XmlError extends Error {
  override name = "XmlError";
}

/** Deepest nesting accepted (XML-RPC needs a handful of levels per nested array or struct). */
export const MAX_XML_DEPTH = 64;

const NAMED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
/**
 * What XML 1.0 forbids in a document, raw or as a character reference: C0 controls but tab, LF
 * and CR; U+FFFE and U+FFFF; and UTF-16 surrogates that are not a pair. expat (supervisord's
 * parser, and Python's xmlrpc.client's) refuses a document holding one.
 */
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NOT_XML_CHARS = new RegExp(NOT_XML_CHAR.source, "g");
/** What escapeXml writes in place of a character XML cannot carry (as Go's encoding/xml does). */
export const REPLACEMENT_CHAR = "\uFFFD";
const isXmlCode = (code: number) =>
  code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
const NAME = /^[A-Za-z_][\w.:-]*/;

function decodeEntities(text: string, at: number): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) throw new XmlError(`at byte ${at}: expected an entity like &amp; ending in ";", got ${JSON.stringify(whole)}`);
    if (ref in NAMED) return NAMED[ref]!;
    const code = /^#x[0-9a-f]+$/i.test(ref) ? parseInt(ref.slice(2), 16) : /^#\d+$/.test(ref) ? Number(ref.slice(1)) : NaN;
    if (!isXmlCode(code)) throw new XmlError(`at byte ${at}: expected a known entity, got "&${ref};"`);
    return String.fromCodePoint(code);
  });
}

/**
 * Parses one XML document into its root element. Attributes are read and dropped.
 * @example parseXml("<a><b>x &amp; y</b></a>").children[0]?.text // "x & y"
 */
export function parseXml(source: string): XmlElement {
  const bad = NOT_XML_CHAR.exec(source);
  if (bad) throw new XmlError(`at byte ${bad.index}: expected XML characters, got U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`);
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (what: string): never => {
    throw new XmlError(`at byte ${i}: ${what}`);
  };
  while (i < source.length) {
    const lt = source.indexOf("<", i);
    const textEnd = lt < 0 ? source.length : lt;
    if (textEnd > i) {
      const text = source.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text, i);
      else if (text.trim()) fail("expected only whitespace outside the root element");
      i = textEnd;
      continue;
    }
    if (source.startsWith("<?", i)) {
      const end = source.indexOf("?>", i);
      if (end < 0) fail("expected ?> to end the processing instruction");
      i = end + 2;
    } else if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i);
      if (end < 0) fail("expected --> to end the comment");
      i = end + 3;
    } else if (source.startsWith("<![CDATA[", i)) {
      const end = source.indexOf("]]>", i);
      const top = stack[stack.length - 1];
      if (end < 0 || !top) fail("expected a CDATA section inside an element, ended by ]]>");
      top!.text += source.slice(i + 9, end);
      i = end + 3;
    } else if (source.startsWith("<!", i)) {
      fail("expected no DOCTYPE or entity declarations (XML-RPC has none)");
    } else if (source.startsWith("</", i)) {
      const end = source.indexOf(">", i);
      const tag = end < 0 ? "" : source.slice(i + 2, end).trim();
      const open = stack.pop();
      if (!open || open.tag !== tag) fail(`expected </${open?.tag ?? "nothing"}>, got </${tag}>`);
      i = end + 1;
    } else {
      const end = source.indexOf(">", i);
      if (end < 0) fail("expected > to end the tag");
      const inner = source.slice(i + 1, end);
      const selfClosing = inner.endsWith("/");
      const tag = NAME.exec(inner)?.[0];
      if (!tag) fail(`expected an element name after <, got ${JSON.stringify(inner.slice(0, 20))}`);
      const element: XmlElement = { tag: tag!, children: [], text: "" };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(element);
      else if (root) fail("expected one root element, got a second");
      else root = element;
      if (!selfClosing) {
        if (stack.length >= MAX_XML_DEPTH) fail(`expected at most ${MAX_XML_DEPTH} nested elements`);
        stack.push(element);
      }
      i = end + 1;
    }
  }
  if (stack.length) fail(`expected </${stack[stack.length - 1]!.tag}> before the end`);
  if (!root) fail("expected an XML document, got none");
  return root!;
}

/**
 * Escapes text for XML as Python's xmlrpc.client does (&, <, >), and writes U+FFFD for a
 * character no XML document may hold (a control character from a program's log, a lone
 * surrogate): supervisord sends those raw, and its own client then fails to parse the answer.
 * @example escapeXml("a<b\x1b[0m") // "a&lt;b\uFFFD[0m"
 */
export function escapeXml(text: string): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return NOT_XML_CHAR.test(escaped) ? escaped.replace(NOT_XML_CHARS, REPLACEMENT_CHAR) : escaped;
}
