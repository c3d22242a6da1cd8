// Byte helpers shared by the pure protocol code (the listener protocol, the control API's HTTP).

/**
 * Bytes `a` then `b` (`b` itself when `a` is empty).
 * @example concat(new Uint8Array([1]), new Uint8Array([2])) // Uint8Array [1, 2]
 */
export function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
