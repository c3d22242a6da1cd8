// Picks the seam for the runtime corral finds itself on, once.
import { nodeOs } from "./node.ts";
import type { Os } from "./types.ts";

/**
 * The OS seam for this runtime: Deno's when `globalThis.Deno` exists, else Node's.
 * The Deno seam is required lazily, so on Node its module code never runs.
 * @example const os = currentOs(); os.runtime // "node"
 */
export function currentOs(): Os {
  if ("Deno" in globalThis) return (require("./deno.ts") as typeof import("./deno.ts")).denoOs();
  return nodeOs();
}
