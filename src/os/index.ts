// Picks the seam for the runtime corral finds itself on, once.
import { nodeOs } from "./node.ts";
import type { Os } from "./types.ts";

/** The OS seam for this runtime. */
export function currentOs(): Os {
  return nodeOs();
}
