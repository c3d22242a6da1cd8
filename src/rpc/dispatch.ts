// One XML-RPC request body in, one response out: supervisord's traverse, the system.* namespace
// (listMethods, methodHelp, methodSignature, multicall) and the fault rules around every call.
import { encodeFault, encodeResponse, encodeValueParts, parseMethodCall, RESPONSE_HEAD, RESPONSE_TAIL, type RpcValue } from "./codec.ts";
import { STREAM_CHUNK_BYTES } from "./constants.ts";
import { RpcFault } from "./faults.ts";
import { SUPERVISOR_METHODS, type Method, type MethodContext } from "./methods.ts";
import { XmlError } from "./xml.ts";

/** What the HTTP side sends back: 200 with an XML body, or an HTTP error status. */
export interface RpcReply {
  status: 200 | 400 | 500;
  body: string;
}

const SYSTEM: Readonly<Record<string, Method>> = {
  "system.listMethods": { signature: ["array"], help: "Return an array listing the available method names", run: () => names() },
  "system.methodHelp": { signature: ["string", "string"], help: "Return a string showing the method's documentation", run: (_, [name]) => {
    const method = lookup(name);
    if (!method) throw new RpcFault("SIGNATURE_UNSUPPORTED");
    return method.help;
  } },
  "system.methodSignature": { signature: ["array", "string"], help: "Return [return type, param types...] of a method", run: (_, [name]) => {
    const method = lookup(name);
    if (!method) throw new RpcFault("SIGNATURE_UNSUPPORTED");
    return method.signature;
  } },
  "system.multicall": { signature: ["array", "array"], help: "Run an array of {methodName, params} calls; each result is [value] or a fault struct", run: multicall },
};

/**
 * A published method name: NAMESPACE.METHOD, both plain identifiers, the method not starting
 * with "_" (supervisord's traverse refuses other dotted names: CVE-2017-11610).
 */
const METHOD_NAME = /^[A-Za-z][A-Za-z0-9_]*\.[A-Za-z][A-Za-z0-9_]*$/;

// A Map, built once: a name is found only if it was published, never on Object.prototype
// ("constructor", "__proto__", "toString", "hasOwnProperty", ... are just unknown names).
let methods: ReadonlyMap<string, Method> | undefined;
const table = (): ReadonlyMap<string, Method> =>
  (methods ??= new Map(Object.entries({ ...SUPERVISOR_METHODS, ...SYSTEM }).filter(([name]) => METHOD_NAME.test(name))));
const lookup = (name: RpcValue | undefined): Method | undefined => (typeof name === "string" ? table().get(name) : undefined);
const names = () => [...table().keys()].sort();

/** supervisord's traverse: NAMESPACE.METHOD only, no leading underscore, arity checked. */
async function call(ctx: MethodContext, method: string, params: RpcValue[]): Promise<RpcValue> {
  const found = METHOD_NAME.test(method) ? table().get(method) : undefined;
  if (!found) throw new RpcFault("UNKNOWN_METHOD");
  const most = found.signature.length - 1;
  if (params.length > most || params.length < most - (found.optional ?? 0)) throw new RpcFault("INCORRECT_PARAMETERS");
  return found.run(ctx, params);
}

/** One multicall entry run: its value, or its fault as a struct (supervisord's multicall). */
async function callOne(ctx: MethodContext, one: RpcValue | undefined): Promise<RpcValue> {
  const spec = (one && typeof one === "object" && !Array.isArray(one) ? one : {}) as { [k: string]: RpcValue };
  const name = Object.hasOwn(spec, "methodName") ? spec["methodName"] : undefined;
  const params = Object.hasOwn(spec, "params") && Array.isArray(spec["params"]) ? spec["params"] : [];
  try {
    if (typeof name !== "string") throw new RpcFault("INCORRECT_PARAMETERS", "No methodName");
    if (name === "system.multicall") throw new RpcFault("INCORRECT_PARAMETERS", "Recursive system.multicall forbidden");
    return await call(ctx, name, params);
  } catch (e) {
    const fault = e instanceof RpcFault ? e : new RpcFault("FAILED", String(e));
    return { faultCode: fault.code, faultString: fault.text };
  }
}

async function multicall(ctx: MethodContext, [calls]: RpcValue[]): Promise<RpcValue> {
  if (!Array.isArray(calls)) throw new RpcFault("INCORRECT_PARAMETERS");
  const results: RpcValue[] = [];
  for (const one of calls) results.push(await callOne(ctx, one));
  return results;
}

/**
 * A multicall's answer, each call run as the previous result has been taken: one result in
 * memory at a time. Should the reader stop (the client went away), the remaining calls that
 * change something still run, as supervisord runs them all whoever reads; reads are skipped.
 */
async function* multicallParts(ctx: MethodContext, calls: RpcValue[]): AsyncGenerator<string> {
  let next = 0;
  try {
    yield `${RESPONSE_HEAD}<value><array><data>\n`;
    while (next < calls.length) yield* encodeValueParts(await callOne(ctx, calls[next++]));
    yield `</data></array></value>\n${RESPONSE_TAIL}`;
  } finally {
    for (; next < calls.length; next++) if (!readsOnly(calls[next])) await callOne(ctx, calls[next]);
  }
}

/** Calls whose only effect is their answer (get*, read*, tail*, system.*): not worth running for no reader. */
const READS_ONLY = /^(system\.|supervisor\.(get|read|tail)|corral\.get)/;
const readsOnly = (one: RpcValue | undefined): boolean => {
  const name = one && typeof one === "object" && !Array.isArray(one) && Object.hasOwn(one, "methodName") ? one["methodName"] : undefined;
  return typeof name === "string" && READS_ONLY.test(name);
};

/** Answers up to this many characters are sent as one piece (they go out whole with Content-Length anyway). */
const WHOLE_ANSWER_CHARS = STREAM_CHUNK_BYTES;

function* responseParts(value: RpcValue): Generator<string> {
  yield RESPONSE_HEAD;
  yield* encodeValueParts(value);
  yield RESPONSE_TAIL;
}

/** An answer to stream: 200 with the XML in pieces, or an HTTP error with a short text. */
export type StreamedReply = { status: 200; pieces: AsyncIterable<string> | Iterable<string> } | { status: 400 | 500; body: string };

/**
 * Handles one POST /RPC2 body as supervisord does: malformed XML, control characters or no
 * method name is HTTP 400, a method's fault is a fault response, a bug inside a method is
 * HTTP 500. The 200 answer comes in pieces, to be written as the client reads them.
 * @example const reply = await dispatchStreamed({ port, logs }, encodeCall("supervisor.getState", [])); reply.status // 200
 */
export async function dispatchStreamed(ctx: MethodContext, body: string): Promise<StreamedReply> {
  let parsed;
  try {
    parsed = parseMethodCall(body);
  } catch (e) {
    if (e instanceof XmlError) return { status: 400, body: `invalid XML-RPC request: ${e.message}\n` };
    throw e;
  }
  if (!parsed.method) return { status: 400, body: "invalid XML-RPC request: no method name\n" };
  const { method, params } = parsed;
  try {
    if (method === "system.multicall" && params.length === 1 && Array.isArray(params[0])) {
      return { status: 200, pieces: multicallParts(ctx, params[0]) };
    }
    const value = await call(ctx, method, params);
    // The usual answer is small: encoded at once, as one piece; a big one is encoded piece by piece.
    const whole = encodeResponse(value);
    return { status: 200, pieces: whole.length <= WHOLE_ANSWER_CHARS ? [whole] : responseParts(value) };
  } catch (e) {
    if (e instanceof RpcFault) return { status: 200, pieces: [encodeFault(e.code, e.text)] };
    return { status: 500, body: `internal error in ${method}: ${e instanceof Error ? e.message : String(e)}\n` };
  }
}

/**
 * dispatchStreamed with the answer joined: one POST /RPC2 body in, status and body out.
 * @example (await dispatch({ port, logs }, encodeCall("supervisor.getState", []))).status // 200
 */
export async function dispatch(ctx: MethodContext, body: string): Promise<RpcReply> {
  const reply = await dispatchStreamed(ctx, body);
  if (reply.status !== 200) return reply;
  let text = "";
  for await (const piece of reply.pieces) text += piece;
  return { status: 200, body: text };
}

/**
 * The published method names, sorted (what system.listMethods returns).
 * @example methodNames().includes("supervisor.startProcess") // true
 */
export const methodNames = (): string[] => names();
