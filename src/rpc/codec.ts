// XML-RPC values on the wire, as supervisord reads them and as Python's xmlrpc.client
// (supervisorctl) writes and accepts them.
import { escapeXml, parseXml, XmlError, type XmlElement } from "./xml.ts";

/** An XML-RPC value in JavaScript: int/i4/double are numbers, base64 is decoded to text, nil is null. */
export type RpcValue = string | number | boolean | null | RpcValue[] | { [key: string]: RpcValue };

/** A decoded `<methodCall>`. */
export interface MethodCall {
  method: string;
  params: RpcValue[];
}

/** A fault received by a client. */
export interface FaultValue {
  faultCode: number;
  faultString: string;
}

/** XML-RPC's int range (Python's xmlrpc.client refuses wider ints). */
export const MAXINT = 2 ** 31 - 1;
export const MININT = -(2 ** 31);

const INTEGER = /^\s*[+-]?\d+\s*$/;
const DOUBLE = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function decodeBase64(text: string): string {
  const clean = text.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) throw new XmlError(`expected base64 text, got ${JSON.stringify(text.slice(0, 20))}`);
  return new TextDecoder().decode(Uint8Array.from(atob(clean), (c) => c.charCodeAt(0)));
}

const only = (e: XmlElement, tag: string): XmlElement[] => e.children.filter((c) => c.tag === tag);

/** Reads one `<value>` the way supervisord's unmarshallers do. */
function readValue(value: XmlElement): RpcValue {
  const typed = value.children[0];
  if (!typed) return value.text;
  const text = typed.text;
  switch (typed.tag) {
    case "int": case "i4": case "i8":
      if (!INTEGER.test(text)) throw new XmlError(`<${typed.tag}>: expected an integer, got ${JSON.stringify(text)}`);
      return Number(text);
    case "double":
      if (!DOUBLE.test(text)) throw new XmlError(`<double>: expected a number, got ${JSON.stringify(text)}`);
      return Number(text);
    case "boolean": return text.trim() === "1";
    case "string": return text;
    case "base64": return decodeBase64(text);
    case "nil": return null;
    case "dateTime.iso8601": return text.trim();
    case "array": {
      const data = typed.children[0];
      return data ? only(data, "value").map(readValue) : [];
    }
    case "struct": {
      const out: { [key: string]: RpcValue } = {};
      for (const member of only(typed, "member")) {
        const name = only(member, "name")[0];
        const v = only(member, "value")[0];
        if (!v) throw new XmlError("<member>: expected a <value>");
        // defineProperty: a member named "__proto__" is an own key, never the object's prototype
        Object.defineProperty(out, name?.text ?? "", { value: readValue(v), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    default:
      return text; // supervisord reads an unknown type's text as a string
  }
}

/**
 * Decodes a request body. Throws XmlError for malformed XML or values (supervisord answers
 * those with HTTP 400); `method` is "" when the call names none.
 * @example parseMethodCall("<methodCall><methodName>system.listMethods</methodName></methodCall>") // { method: "system.listMethods", params: [] }
 */
export function parseMethodCall(body: string): MethodCall {
  const root = parseXml(body);
  if (root.tag !== "methodCall") throw new XmlError(`expected <methodCall>, got <${root.tag}>`);
  const method = only(root, "methodName")[0]?.text ?? ""; // untrimmed, as supervisord: " x.y" is no method
  const params = only(root, "params")[0];
  return { method, params: params ? only(params, "param").map((p) => readValue(only(p, "value")[0] ?? p)) : [] };
}

/**
 * Encodes one value as Python's xmlrpc.client does (ints outside int32 are capped, as
 * supervisord's capped_int does for timestamps).
 * @example encodeValue(7) // "<value><int>7</int></value>\n"
 */
export function encodeValue(value: RpcValue): string {
  if (value === null || value === undefined) return "<value><nil/></value>";
  switch (typeof value) {
    case "string": return `<value><string>${escapeXml(value)}</string></value>\n`;
    case "boolean": return `<value><boolean>${value ? 1 : 0}</boolean></value>\n`;
    case "number":
      if (Number.isInteger(value)) return `<value><int>${Math.min(MAXINT, Math.max(MININT, value))}</int></value>\n`;
      return `<value><double>${Number.isFinite(value) ? String(value) : "0"}</double></value>\n`;
  }
  if (Array.isArray(value)) return `<value><array><data>\n${value.map(encodeValue).join("")}</data></array></value>\n`;
  const members = Object.entries(value).map(([k, v]) => `<member>\n<name>${escapeXml(k)}</name>\n${encodeValue(v)}</member>\n`);
  return `<value><struct>\n${members.join("")}</struct></value>\n`;
}

/**
 * A `<methodResponse>` carrying `value`, byte for byte what supervisord sends.
 * @example encodeResponse("3.0") // "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><string>3.0</string></value>\n</param>\n</params>\n</methodResponse>\n"
 */
export function encodeResponse(value: RpcValue): string {
  return `${RESPONSE_HEAD}${encodeValue(value)}${RESPONSE_TAIL}`;
}

/** Strings longer than this are written in slices of this many characters (a big log read). */
export const STRING_SLICE_CHARS = 32 * 1024;

/**
 * The pieces of one value's encoding, in order: arrays element by element (recursively), long
 * strings in slices, anything else whole. Joined, they are exactly encodeValue(value); written
 * one by one they let an answer go out as the client reads it, never whole in memory twice.
 * @example [...encodeValueParts(["a", 1])].join("") === encodeValue(["a", 1]) // true
 */
export function* encodeValueParts(value: RpcValue): Generator<string> {
  if (Array.isArray(value)) {
    yield "<value><array><data>\n";
    for (const v of value) yield* encodeValueParts(v);
    yield "</data></array></value>\n";
  } else if (typeof value === "string" && value.length > STRING_SLICE_CHARS) {
    yield "<value><string>";
    for (let at = 0; at < value.length;) {
      let end = Math.min(value.length, at + STRING_SLICE_CHARS);
      const last = value.charCodeAt(end - 1);
      if (last >= 0xd800 && last <= 0xdbff && end < value.length) end++; // keep a surrogate pair whole
      yield escapeXml(value.slice(at, end));
      at = end;
    }
    yield "</string></value>\n";
  } else {
    yield encodeValue(value);
  }
}

/** The text before and after the value of a `<methodResponse>`. */
export const RESPONSE_HEAD = "<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n";
export const RESPONSE_TAIL = "</param>\n</params>\n</methodResponse>\n";

/**
 * A fault response, as supervisord sends it.
 * @example encodeFault(10, "BAD_NAME: web") // "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n..."
 */
export function encodeFault(code: number, text: string): string {
  return `<?xml version='1.0'?>\n<methodResponse>\n<fault>\n${encodeValue({ faultCode: code, faultString: text })}</fault>\n</methodResponse>\n`;
}

/**
 * A `<methodCall>` as Python's xmlrpc.client writes it (for `corral ctl`).
 * @example encodeCall("supervisor.stopProcess", ["web", true])
 */
export function encodeCall(method: string, params: RpcValue[]): string {
  const body = params.map((p) => `<param>\n${encodeValue(p)}</param>\n`).join("");
  return `<?xml version='1.0'?>\n<methodCall>\n<methodName>${escapeXml(method)}</methodName>\n<params>\n${body}</params>\n</methodCall>\n`;
}

/**
 * Decodes a `<methodResponse>`: the value, or the fault it carries. Throws XmlError when malformed.
 * @example parseResponse(encodeFault(10, "BAD_NAME: x")) // { fault: { faultCode: 10, faultString: "BAD_NAME: x" } }
 */
export function parseResponse(body: string): { value: RpcValue } | { fault: FaultValue } {
  const root = parseXml(body);
  if (root.tag !== "methodResponse") throw new XmlError(`expected <methodResponse>, got <${root.tag}>`);
  const fault = only(root, "fault")[0];
  if (fault) {
    const v = readValue(only(fault, "value")[0] ?? fault) as Partial<FaultValue>;
    return { fault: { faultCode: Number(v.faultCode), faultString: String(v.faultString ?? "") } };
  }
  const value = only(only(only(root, "params")[0] ?? root, "param")[0] ?? root, "value")[0];
  if (!value) throw new XmlError("expected <params><param><value>");
  return { value: readValue(value) };
}
