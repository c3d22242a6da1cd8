// The few members of Deno's global namespace corral uses, typed here so the build (typed
// for Node) needs no Deno type package. Imported only from the Deno seam.

/** `globalThis.Deno`, as far as corral uses it. */
export interface DenoApi {
  exit(code: number): never;
  addSignalListener(signal: string, handler: () => void): void;
}

/**
 * The Deno global; only defined when running on Deno.
 * @example deno.exit(0)
 */
export const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
