// Placeholder until this subcommand lands.
import type { Os } from "../os/types.ts";
import { UsageError } from "../cli/errors.ts";

/** Not implemented yet. */
export async function waitUntilHealthyMain(_os: Os, _args: string[]): Promise<number> {
  throw new UsageError("this subcommand is not implemented yet");
}
