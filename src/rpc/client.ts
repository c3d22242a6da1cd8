// The client side of the control API (`corral ctl` in config mode): one XML-RPC call per
// connection over the unix socket or TCP, with the same codec the server uses.
import { encodeCall, parseResponse, type FaultValue, type RpcValue } from "./codec.ts";
import { RPC_PATH } from "./constants.ts";
import { basicAuth, parseResponseBytes } from "./http.ts";
import type { Credentials } from "./server.ts";
import type { ControlEndpoint } from "./endpoints.ts";

/**
 * A fault the server answered with.
 * @example try { await rpcCaller(requestStream, { kind: "unix", path: "/run/corral/corral.sock" })("supervisor.startProcess", "x"); } catch (e) { if (e instanceof RemoteFault) console.log(e.fault.faultCode); } // 10: BAD_NAME
 */
export class RemoteFault extends Error {
  constructor(readonly fault: FaultValue) {
    super(fault.faultString);
  }
}

/**
 * The server could not be reached or answered with an HTTP error; `code` is the errno name or "HTTP 401".
 * @example new TransportError("ENOENT", "no such file").code // "ENOENT"
 */
export class TransportError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Sends bytes and collects the answer until `complete` says it is whole (Os side: requestStream). */
export type Transport = (address: ControlEndpoint["address"], request: Uint8Array, complete: (b: Uint8Array) => boolean) => Promise<Uint8Array>;

/** An XML-RPC caller bound to one server. */
export type Caller = (method: string, ...params: RpcValue[]) => Promise<RpcValue>;

const enc = new TextEncoder();

/**
 * A caller for the server at `address`. Resolves to the value, rejects with RemoteFault or TransportError.
 * @example const call = rpcCaller(requestStream, { kind: "unix", path: "/run/corral/corral.sock" }); await call("supervisor.getState")
 */
export function rpcCaller(transport: Transport, address: ControlEndpoint["address"], credentials?: Credentials): Caller {
  const host = address.kind === "unix" ? "localhost" : `${address.host}:${address.port}`;
  return async (method, ...params) => {
    const body = enc.encode(encodeCall(method, params));
    const head = [
      `POST ${RPC_PATH} HTTP/1.1`, `Host: ${host}`, "User-Agent: corral ctl", "Content-Type: text/xml", "Accept: text/xml",
      ...(credentials ? [`Authorization: ${basicAuth(credentials.username, credentials.password)}`] : []),
      `Content-Length: ${body.length}`, "Connection: close", "", "",
    ].join("\r\n");
    const request = new Uint8Array([...enc.encode(head), ...body]);
    let raw: Uint8Array;
    try {
      raw = await transport(address, request, (b) => parseResponseBytes(b, false) !== undefined);
    } catch (e) {
      throw new TransportError((e as { code?: string }).code ?? "EIO", (e as Error).message);
    }
    const response = parseResponseBytes(raw, true);
    if (!response) throw new TransportError("EPROTO", "the server closed the connection before answering");
    if (response.status !== 200) throw new TransportError(`HTTP ${response.status}`, `the server answered HTTP ${response.status}`);
    const parsed = parseResponse(new TextDecoder().decode(response.body));
    if ("fault" in parsed) throw new RemoteFault(parsed.fault);
    return parsed.value;
  };
}
