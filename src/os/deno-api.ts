// The few members of Deno's global namespace corral uses, typed here so the build (typed
// for Node) needs no Deno type package. Imported only from the Deno seam.

/** A unix socket address as Deno reports it; `path` is null for an unbound sender. */
export interface UnixAddr {
  transport: "unixpacket";
  path: string | null;
}

/** A bound SOCK_DGRAM unix socket (`Deno.listenDatagram`, needs --unstable-net). */
export interface DatagramConn {
  receive(): Promise<[Uint8Array, UnixAddr]>;
  send(data: Uint8Array, to: UnixAddr): Promise<number>;
  close(): void;
}

/** `globalThis.Deno`, as far as corral uses it. */
export interface DenoApi {
  exit(code: number): never;
  listenDatagram(options: { transport: "unixpacket"; path: string }): DatagramConn;
}

/**
 * The Deno global; only defined when running on Deno.
 * @example deno.exit(0)
 */
export const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
