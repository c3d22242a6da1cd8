// One XML-RPC request body in, one response out: supervisord's traverse, the system.* namespace
// (listMethods, methodHelp, methodSignature, multicall) and the fault rules around every call.
import { encodeFault, encodeResponse, parseMethodCall, type RpcValue } from "./codec.ts";
import { RpcFault } from "./faults.ts";
import { SUPERVISOR_METHODS, type Method, type MethodContext } from "./methods.ts";
import { XmlError } from "./xml.ts";

/** What the HTTP side sends back: 200 with an XML body, or an HTTP error status. */
export interface RpcReply {
  status: 200 | 400 | 500;
  body: string;
}

type Table = Readonly<Record<string, Method>>;

const SYSTEM: Table = {
  "system.listMethods": { signature: ["array"], help: "Return an array listing the available method names", run: () => names() },
  "system.methodHelp": { signature: ["string", "string"], help: "Return a string showing the method's documentation", run: (_, [name]) => {
    const method = table()[String(name)];
    if (!method) throw new RpcFault("SIGNATURE_UNSUPPORTED");
    return method.help;
  } },
  "system.methodSignature": { signature: ["array", "string"], help: "Return [return type, param types...] of a method", run: (_, [name]) => {
    const method = table()[String(name)];
    if (!method) throw new RpcFault("SIGNATURE_UNSUPPORTED");
    return method.signature;
  } },
  "system.multicall": { signature: ["array", "array"], help: "Run an array of {methodName, params} calls; each result is [value] or a fault struct", run: multicall },
};

const table = (): Table => ({ ...SUPERVISOR_METHODS, ...SYSTEM });
const names = () => Object.keys(table()).sort();

/** supervisord's traverse: NAMESPACE.METHOD only, no leading underscore, arity checked. */
async function call(ctx: MethodContext, method: string, params: RpcValue[]): Promise<RpcValue> {
  const parts = method.split(".");
  const found = parts.length === 2 && !parts[1]!.startsWith("_") ? table()[method] : undefined;
  if (!found) throw new RpcFault("UNKNOWN_METHOD");
  const most = found.signature.length - 1;
  if (params.length > most || params.length < most - (found.optional ?? 0)) throw new RpcFault("INCORRECT_PARAMETERS");
  return found.run(ctx, params);
}

async function multicall(ctx: MethodContext, [calls]: RpcValue[]): Promise<RpcValue> {
  if (!Array.isArray(calls)) throw new RpcFault("INCORRECT_PARAMETERS");
  const results: RpcValue[] = [];
  for (const one of calls) {
    const spec = (one && typeof one === "object" && !Array.isArray(one) ? one : {}) as { [k: string]: RpcValue };
    const name = spec["methodName"];
    const params = Array.isArray(spec["params"]) ? spec["params"] : [];
    try {
      if (typeof name !== "string") throw new RpcFault("INCORRECT_PARAMETERS", "No methodName");
      if (name === "system.multicall") throw new RpcFault("INCORRECT_PARAMETERS", "Recursive system.multicall forbidden");
      results.push(await call(ctx, name, params));
    } catch (e) {
      const fault = e instanceof RpcFault ? e : new RpcFault("FAILED", String(e));
      results.push({ faultCode: fault.code, faultString: fault.text });
    }
  }
  return results;
}

/**
 * Handles one POST /RPC2 body as supervisord does: malformed XML or no method name is
 * HTTP 400, a method's fault is a fault response, a bug inside a method is HTTP 500.
 * @example (await dispatch({ port, logs }, encodeCall("supervisor.getState", []))).status // 200
 */
export async function dispatch(ctx: MethodContext, body: string): Promise<RpcReply> {
  let parsed;
  try {
    parsed = parseMethodCall(body);
  } catch (e) {
    if (e instanceof XmlError) return { status: 400, body: `invalid XML-RPC request: ${e.message}\n` };
    throw e;
  }
  if (!parsed.method) return { status: 400, body: "invalid XML-RPC request: no method name\n" };
  try {
    return { status: 200, body: encodeResponse(await call(ctx, parsed.method, parsed.params)) };
  } catch (e) {
    if (e instanceof RpcFault) return { status: 200, body: encodeFault(e.code, e.text) };
    return { status: 500, body: `internal error in ${parsed.method}: ${e instanceof Error ? e.message : String(e)}\n` };
  }
}

/**
 * The published method names, sorted (what system.listMethods returns).
 * @example methodNames().includes("supervisor.startProcess") // true
 */
export const methodNames = (): string[] => names();
