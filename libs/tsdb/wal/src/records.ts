import type { Label, Labels } from '@myelin/model';

/**
 * WAL record payloads (docs/format/wal.md). Little-endian. The first byte is the type.
 *   series:  1, tenant, count u32, then per series: ref u32, labels u16, (name u16+bytes, value u32+bytes)...
 *   samples: 2, tenant, count u32, refs u32[count], timestamps f64[count], values f64[count]
 * tenant: u16 length + UTF-8 bytes. Samples are written as the raw bytes of typed arrays, so
 * the process must be little-endian (checked at start-up).
 */
export const RECORD_SERIES = 1;
export const RECORD_SAMPLES = 2;

export type WalRecord =
  | { type: 'series'; tenant: string; series: Array<{ ref: number; labels: Labels }> }
  | { type: 'samples'; tenant: string; refs: Uint32Array; timestamps: Float64Array; values: Float64Array };

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

export function encodeSeriesRecord(tenant: string, series: ReadonlyArray<{ ref: number; labels: Labels }>): Buffer {
  let size = 1 + 2 + Buffer.byteLength(tenant) + 4;
  for (const s of series) {
    size += 4 + 2;
    for (const l of s.labels) size += 2 + Buffer.byteLength(l.name) + 4 + Buffer.byteLength(l.value);
  }
  const b = Buffer.allocUnsafe(size);
  let o = b.writeUInt8(RECORD_SERIES, 0);
  o = writeString16(b, o, tenant);
  o = b.writeUInt32LE(series.length, o);
  for (const s of series) {
    o = b.writeUInt32LE(s.ref, o);
    o = b.writeUInt16LE(s.labels.length, o);
    for (const l of s.labels) {
      o = writeString16(b, o, l.name);
      const len = b.write(l.value, o + 4, 'utf8');
      b.writeUInt32LE(len, o);
      o += 4 + len;
    }
  }
  return b;
}

export function encodeSamplesRecord(tenant: string, refs: Uint32Array, timestamps: Float64Array, values: Float64Array, count: number): Buffer[] {
  const head = Buffer.allocUnsafe(1 + 2 + Buffer.byteLength(tenant) + 4);
  let o = head.writeUInt8(RECORD_SAMPLES, 0);
  o = writeString16(head, o, tenant);
  head.writeUInt32LE(count, o);
  return [
    head,
    Buffer.from(refs.buffer, refs.byteOffset, count * 4),
    Buffer.from(timestamps.buffer, timestamps.byteOffset, count * 8),
    Buffer.from(values.buffer, values.byteOffset, count * 8),
  ];
}

/** Decodes a record payload; throws RecordError naming what is wrong. */
export function decodeRecord(b: Uint8Array): WalRecord {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let o = 0;
  const need = (n: number) => {
    if (o + n > buf.length) throw new RecordError(`record truncated at byte ${o} (needs ${n} more)`);
  };
  const str16 = () => {
    need(2);
    const len = buf.readUInt16LE(o);
    need(2 + len);
    const s = buf.toString('utf8', o + 2, o + 2 + len);
    o += 2 + len;
    return s;
  };
  need(1);
  const type = buf[o++];
  const tenant = str16();
  need(4);
  const count = buf.readUInt32LE(o);
  o += 4;
  if (type === RECORD_SERIES) {
    const series: Array<{ ref: number; labels: Label[] }> = [];
    for (let i = 0; i < count; i++) {
      need(6);
      const ref = buf.readUInt32LE(o);
      const n = buf.readUInt16LE(o + 4);
      o += 6;
      const labels: Label[] = [];
      for (let j = 0; j < n; j++) {
        const name = str16();
        need(4);
        const len = buf.readUInt32LE(o);
        need(4 + len);
        labels.push({ name, value: buf.toString('utf8', o + 4, o + 4 + len) });
        o += 4 + len;
      }
      series.push({ ref, labels });
    }
    if (o !== buf.length) throw new RecordError(`series record has ${buf.length - o} trailing bytes`);
    return { type: 'series', tenant, series };
  }
  if (type === RECORD_SAMPLES) {
    need(count * 20);
    if (o + count * 20 !== buf.length) throw new RecordError(`samples record length ${buf.length} does not match its count ${count}`);
    // Copy into aligned arrays (the payload's offset need not be a multiple of 8).
    const refs = new Uint32Array(count);
    const timestamps = new Float64Array(count);
    const values = new Float64Array(count);
    Buffer.from(refs.buffer).set(buf.subarray(o, o + count * 4));
    o += count * 4;
    Buffer.from(timestamps.buffer).set(buf.subarray(o, o + count * 8));
    o += count * 8;
    Buffer.from(values.buffer).set(buf.subarray(o, o + count * 8));
    return { type: 'samples', tenant, refs, timestamps, values };
  }
  throw new RecordError(`unknown record type ${type}`);
}

function writeString16(b: Buffer, o: number, s: string): number {
  const len = b.write(s, o + 2, 'utf8');
  if (len > 0xffff) throw new RecordError(`string of ${len} bytes too long for the WAL`);
  b.writeUInt16LE(len, o);
  return o + 2 + len;
}
