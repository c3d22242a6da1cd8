// node:os, loaded on its first use: `corral -- cmd` never needs it, and loading it at start-up
// costs about 3.6 M instructions (callgrind: `node -e "require('os')"` against `node -e 0`).

/**
 * Node's os module, required when first asked for.
 * @example lazyOs().hostname() // "web-1"
 */
export function lazyOs(): typeof import("node:os") {
  return require("node:os") as typeof import("node:os");
}
