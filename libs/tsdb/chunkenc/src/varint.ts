/** Go's encoding/binary varints over JS numbers (exact for magnitudes below 2^53). */

export function writeUvarint(put: (byte: number) => void, value: number): void {
  while (value >= 0x80) {
    put((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  put(value);
}

/** Signed varint: zigzag, then uvarint. */
export function writeVarint(put: (byte: number) => void, value: number): void {
  writeUvarint(put, value >= 0 ? value * 2 : -value * 2 - 1);
}

export function readUvarint(next: () => number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const b = next();
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 0x80;
  }
  throw new RangeError('varint overflows 64 bits');
}

export function readVarint(next: () => number): number {
  const u = readUvarint(next);
  return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
}
