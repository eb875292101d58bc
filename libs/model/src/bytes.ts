/**
 * `buf` with room for `need` more bytes after the `used` ones: `buf` itself when they fit, else a
 * copy of the used bytes in an array at least twice as large (amortised O(1) appends). The one
 * growth rule of Myelin's byte writers (protobuf, block files, XOR bit streams).
 */
export function withRoom(buf: Uint8Array, used: number, need: number): Uint8Array {
  if (used + need <= buf.length) return buf;
  let size = Math.max(buf.length * 2, 16);
  while (size < used + need) size *= 2;
  const next = new Uint8Array(size);
  next.set(buf.subarray(0, used));
  return next;
}
