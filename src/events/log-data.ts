// The data of PROCESS_LOG_STDOUT/STDERR events as supervisord makes it: one event per read of
// the program's pipe (at most READ_BYTES), its bytes as UTF-8 text, or supervisord's
// `Undecodable: b'…'` (Python's repr of the bytes) when they are not valid UTF-8.

/**
 * The most one of supervisord's reads of a program's pipe returns on Linux: it asks for 2 << 16
 * bytes (options.readfd), but a pipe holds 64 KiB (16 pages), so its events carry at most that.
 * corral's pump reads up to 1 MiB from pipes it made bigger and cuts to this size. (Pieces this
 * small are also young-generation strings for V8: with a listener that never reads, 128 KiB
 * pieces, large objects freed only by a full GC, took Deno's RssAnon to 137 MiB in 10 s; 64 KiB
 * ones keep it at ~85 MiB.)
 */
export const READ_BYTES = 1 << 16;
/** What supervisord's ProcessLogEvent.payload puts before data that is not UTF-8. */
const UNDECODABLE = "Undecodable: ";
/** A UTF-8 character is at most this long: a cut backs off at most this much less one. */
const MAX_UTF8_BYTES = 4;

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Cuts `data` (one read of the pump, up to 1 MiB) into pieces of at most `max` bytes, as
 * supervisord's reads would be, each cut moved back to the start of a UTF-8 character so
 * that valid text stays valid in every piece.
 * @example logPieces(new Uint8Array(300 * 1024)).map((p) => p.length) // [65536, 65536, 65536, 65536, 45056]
 */
export function logPieces(data: Uint8Array, max = READ_BYTES): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  while (data.length - start > max) {
    let cut = start + max;
    // A continuation byte (10xxxxxx) is no character's start: back off to its lead byte.
    for (let back = 0; back < MAX_UTF8_BYTES - 1 && isContinuation(data[cut]!); back++) cut--;
    if (isContinuation(data[cut]!)) cut = start + max; // not UTF-8 here anyway: cut where the read would
    out.push(data.subarray(start, cut));
    start = cut;
  }
  if (start < data.length || out.length === 0) out.push(data.subarray(start));
  return out;
}

function isContinuation(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/**
 * The text supervisord puts in the event: `data` decoded as UTF-8 (a byte order mark kept),
 * or `Undecodable: ` and Python's repr of the bytes when they are not valid UTF-8.
 * @example logText(new TextEncoder().encode("GET / 200\n")) // "GET / 200\n"
 * @example logText(Uint8Array.of(0x66, 0xff, 0x0a)) // "Undecodable: b'f\\xff\\n'"
 */
export function logText(data: Uint8Array): string {
  try {
    return strict.decode(data);
  } catch {
    return UNDECODABLE + pythonBytesRepr(data);
  }
}

/**
 * Python 3's repr() of a bytes object: b'…' (b"…" when it holds ' and no "), with \t \n \r,
 * \\ and the quote escaped, other bytes below 0x20 or from 0x7f as \xNN.
 * @example pythonBytesRepr(Uint8Array.of(0x61, 0x27, 0x00)) // "b\"a'\\x00\""
 */
export function pythonBytesRepr(data: Uint8Array): string {
  const SINGLE = 0x27, DOUBLE = 0x22, BACKSLASH = 0x5c;
  const quote = data.includes(SINGLE) && !data.includes(DOUBLE) ? DOUBLE : SINGLE;
  let out = "";
  for (const b of data) {
    if (b === quote || b === BACKSLASH) out += "\\" + String.fromCharCode(b);
    else if (b === 0x09) out += "\\t";
    else if (b === 0x0a) out += "\\n";
    else if (b === 0x0d) out += "\\r";
    else if (b < 0x20 || b >= 0x7f) out += "\\x" + b.toString(16).padStart(2, "0");
    else out += String.fromCharCode(b);
  }
  const q = String.fromCharCode(quote);
  return `b${q}${out}${q}`;
}
