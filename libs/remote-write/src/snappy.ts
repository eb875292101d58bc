import { compress } from 'snappyjs';
import { DecodeError } from './protobuf';

/**
 * Snappy block format (what remote write uses), decoded here rather than by snappyjs: snappyjs
 * reads a 4-byte literal length as a signed number and can then loop for ever on a crafted body
 * (found by the fuzz test, apps/e2e/src/push-fuzz.e2e.spec.ts). This decoder checks every length
 * and offset against the input and the declared output size, and the declared size against
 * `maxLength` before allocating anything.
 */
export function snappyDecode(body: Uint8Array, maxLength: number): Uint8Array {
  let pos = 0;
  const n = body.length;
  // Uncompressed length: a varint of at most 32 bits.
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= n) throw new DecodeError('snappy: truncated length header');
    if (shift > 28) throw new DecodeError('snappy: length header too long');
    const b = body[pos++];
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  if (length > maxLength) {
    throw new DecodeError(`snappy: The uncompressed length of ${length} is too big, expect at most ${maxLength} (-distributor.max-recv-msg-size)`);
  }
  const out = new Uint8Array(length);
  let o = 0;
  while (pos < n) {
    const tag = body[pos++];
    const type = tag & 3;
    if (type === 0) {
      let len = (tag >>> 2) + 1;
      if (len > 60) {
        const bytes = len - 60;
        if (pos + bytes > n) throw new DecodeError('snappy: truncated literal length');
        len = 0;
        for (let i = 0; i < bytes; i++) len += body[pos + i] * 2 ** (8 * i);
        len += 1;
        pos += bytes;
      }
      if (pos + len > n) throw new DecodeError(`snappy: literal of ${len} bytes overruns the input`);
      if (o + len > length) throw new DecodeError('snappy: output longer than its declared length');
      out.set(body.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (type === 1) {
      if (pos + 1 > n) throw new DecodeError('snappy: truncated copy');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | body[pos];
      pos += 1;
    } else if (type === 2) {
      if (pos + 2 > n) throw new DecodeError('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = body[pos] | (body[pos + 1] << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw new DecodeError('snappy: truncated copy');
      len = (tag >>> 2) + 1;
      offset = (body[pos] | (body[pos + 1] << 8) | (body[pos + 2] << 16) | (body[pos + 3] << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > o) throw new DecodeError(`snappy: copy offset ${offset} outside the ${o} bytes written`);
    if (o + len > length) throw new DecodeError('snappy: output longer than its declared length');
    if (offset >= len) {
      out.copyWithin(o, o - offset, o - offset + len);
      o += len;
    } else {
      // Overlapping copy (a repeated pattern): byte by byte, as the format intends.
      for (let i = 0; i < len; i++, o++) out[o] = out[o - offset];
    }
  }
  if (o !== length) throw new DecodeError(`snappy: ${o} bytes decoded, ${length} declared`);
  return out;
}

export function snappyEncode(raw: Uint8Array): Uint8Array {
  return compress(raw) as Uint8Array;
}
