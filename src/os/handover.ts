// What the boot (src/os/boot.ts) hands the application it compiles: the addon it loaded and
// the signals it caught. The boot passes it as the application's sixth wrapper parameter.
import type { EarlySignals } from "./early-signals.ts";
import type { Native } from "./native.ts";

/** The boot's hand-over; see the file's comment. */
export interface BootHandover {
  readonly addon: Native;
  /** Undefined when the boot left signals to the application (a subcommand, `corral CMD`). */
  readonly signals: EarlySignals | undefined;
}

/** The name of the application's wrapper parameter that carries the hand-over. */
export const HANDOVER_PARAMETER = "CORRAL_BOOT";
declare const CORRAL_BOOT: BootHandover | undefined;

/**
 * The boot's hand-over, or undefined when the application runs without the boot (a test
 * that imports the source).
 * @example bootHandover()?.addon.isatty(0)
 */
export function bootHandover(): BootHandover | undefined {
  return typeof CORRAL_BOOT === "object" && CORRAL_BOOT !== null ? CORRAL_BOOT : undefined;
}
