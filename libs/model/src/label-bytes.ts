import type { Label, Labels } from './labels';

/**
 * The canonical byte form of a label set, used on the ingester RPC and as the head's series key:
 *   u16 LE count, then per label: u16 LE name length, name (UTF-8), u32 LE value length, value.
 * Equal label sets have equal bytes, so the latin1 string of the bytes is a map key that needs no
 * decoding (labelKeyOf).
 */
export function encodeLabels(labels: Labels): Buffer {
  let size = 2;
  for (const l of labels) size += 2 + Buffer.byteLength(l.name) + 4 + Buffer.byteLength(l.value);
  const b = Buffer.allocUnsafe(size);
  let o = b.writeUInt16LE(labels.length, 0);
  for (const l of labels) {
    const n = b.write(l.name, o + 2, 'utf8');
    b.writeUInt16LE(n, o);
    o += 2 + n;
    const v = b.write(l.value, o + 4, 'utf8');
    b.writeUInt32LE(v, o);
    o += 4 + v;
  }
  return b;
}

/** The map key of encoded label bytes. */
export function labelKeyOf(bytes: Buffer, start = 0, end = bytes.length): string {
  return bytes.toString('latin1', start, end);
}

/**
 * Decodes one encoded label set starting at `start`; returns the labels and where they end.
 * Throws RangeError (naming the problem) if the bytes run past `limit`.
 */
export function decodeLabels(b: Buffer, start: number, limit = b.length): { labels: Label[]; end: number } {
  let o = start;
  if (o + 2 > limit) throw new RangeError('label set truncated');
  const count = b.readUInt16LE(o);
  o += 2;
  const labels: Label[] = new Array(count);
  for (let j = 0; j < count; j++) {
    if (o + 2 > limit) throw new RangeError('label set truncated');
    const nl = b.readUInt16LE(o);
    if (o + 2 + nl + 4 > limit) throw new RangeError('label set truncated');
    const name = b.toString('utf8', o + 2, o + 2 + nl);
    o += 2 + nl;
    const vl = b.readUInt32LE(o);
    if (o + 4 + vl > limit) throw new RangeError('label set truncated');
    labels[j] = { name, value: b.toString('utf8', o + 4, o + 4 + vl) };
    o += 4 + vl;
  }
  return { labels, end: o };
}

/** Where the encoded label set starting at `start` ends, without decoding it. */
export function skipLabels(b: Buffer, start: number, limit = b.length): number {
  let o = start;
  if (o + 2 > limit) throw new RangeError('label set truncated');
  const count = b.readUInt16LE(o);
  o += 2;
  for (let j = 0; j < count; j++) {
    if (o + 2 > limit) throw new RangeError('label set truncated');
    o += 2 + b.readUInt16LE(o);
    if (o + 4 > limit) throw new RangeError('label set truncated');
    o += 4 + b.readUInt32LE(o);
  }
  if (o > limit) throw new RangeError('label set truncated');
  return o;
}
