// The network calls of health probes: one HTTP GET's status, one TCP connect. node:http,
// node:https and node:net are required on first use, so runs without such probes never load them.
import type { HttpAnswer } from "./types.ts";

/**
 * GETs `url` (no redirects followed, body not read, certificates verified), bounded by `timeoutMs`.
 * node:http rather than fetch: fetch refuses "bad ports" (6000, 6667, ...) a service may use.
 * @example await httpStatus(new URL("http://127.0.0.1:8080/health"), 5000) // { status: 200, location: undefined }
 */
export function httpStatus(url: URL, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve) => {
    const { get } = (url.protocol === "https:" ? require("node:https") : require("node:http")) as typeof import("node:http");
    const request = get(url, { agent: false }, (response) => {
      resolve({ status: response.statusCode ?? 0, location: response.headers.location });
      request.destroy(); // the body is not wanted
    });
    const timer = setTimeout(() => {
      resolve({ timedOut: true });
      request.destroy();
    }, timeoutMs);
    request.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    request.on("close", () => clearTimeout(timer));
  });
}

/**
 * Connects to host:port and closes at once, bounded by `timeoutMs`: undefined when it
 * connected, else why not (an error code, or "timeout").
 * @example await tcpConnect("127.0.0.1", 5432, 5000) // undefined once something listens
 */
export function tcpConnect(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const { connect } = require("node:net") as typeof import("node:net");
    const socket = connect({ host, port });
    const done = (why: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(why);
    };
    const timer = setTimeout(() => done("timeout"), timeoutMs);
    socket.once("connect", () => done(undefined));
    socket.once("error", (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}
