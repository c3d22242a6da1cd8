// The `name | ` in front of each prefixed line, coloured per program on a terminal.

/** ANSI foreground colours a program name may get: cyan, yellow, green, magenta, blue, red. */
const COLOURS = [36, 33, 32, 35, 34, 31];
/** Separator after the name: a line, and a piece continuing an overlong line. */
const SEPARATOR = "|", CONTINUED = "+";

/** The two prefixes of one program: for a line, and for a later piece of a cut line. */
export interface Prefixes {
  line: Uint8Array;
  continued: Uint8Array;
}

/**
 * The prefixes of `name`; `colour` wraps `name |` in the program's own ANSI colour.
 * @example prefixesOf("web", false).line // bytes of "web | "
 */
export function prefixesOf(name: string, colour: boolean): Prefixes {
  const encoder = new TextEncoder();
  const make = (mark: string) =>
    encoder.encode(colour ? `\x1b[${colourOf(name)}m${name} ${mark}\x1b[0m ` : `${name} ${mark} `);
  return { line: make(SEPARATOR), continued: make(CONTINUED) };
}

/**
 * A colour that depends on the name only, so a program keeps it across restarts and runs.
 * @example colourOf("web") // one of 31..36, always the same for "web"
 */
export function colourOf(name: string): number {
  let hash = 2166136261; // FNV-1a
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 16777619);
  return COLOURS[(hash >>> 0) % COLOURS.length]!;
}

/**
 * Whether output to corral's `fd` gets colour: a terminal, and NO_COLOR unset or empty (no-color.org).
 * @example wantsColour(os.isatty(1), os.env) // false in a pipe
 */
export function wantsColour(isTty: boolean, env: Record<string, string | undefined>): boolean {
  return isTty && !env["NO_COLOR"];
}
