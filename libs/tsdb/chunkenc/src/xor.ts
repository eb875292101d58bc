import { BitWriter } from './bstream';
import { writeUvarint, writeVarint } from './varint';

/**
 * Prometheus's XOR chunk (Gorilla compression, millisecond timestamps), bit for bit as in
 * prometheus/tsdb/chunkenc/xor.go, so chunks can be written into Prometheus-format blocks as they
 * are: a 2-byte big-endian sample count, the first timestamp as a signed varint and the first
 * value as 64 raw bits, the second timestamp as an unsigned varint delta, then delta-of-deltas in
 * 1/14/17/20/64-bit buckets; values XORed with the previous one, with leading/trailing zero
 * counts reused when they fit. Format notes: docs/format/chunks.md.
 */
export const ENC_XOR = 1;

/** Prometheus cuts a head chunk at this many samples. */
export const SAMPLES_PER_CHUNK = 120;

// The same 8 bytes as a float and as two 32-bit words (faster than a DataView when decoding).
// Words are in the platform's order; Node runs little-endian on every platform Myelin targets.
const asFloat = new Float64Array(1);
const asWords = new Uint32Array(asFloat.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function bitsFloat(hi: number, lo: number): number {
  asWords[HI] = hi;
  asWords[1 - HI] = lo;
  return asFloat[0];
}

function ctz32(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Whether dod fits the signed bucket of nbits (Prometheus's bitRange). */
function bitRange(dod: number, nbits: number): boolean {
  const half = 1 << (nbits - 1); // a shift: `2 **` is many times slower in V8 here
  return -(half - 1) <= dod && dod <= half;
}

/** Extends the bit writer rather than holding one: a head keeps an open chunk per series, so one object fewer each. */
export class XORChunk extends BitWriter {
  // Protected: XORChunkArena's cursor loads and stores them per slot.
  protected count = 0;
  protected t = 0;
  protected vHi = 0;
  protected vLo = 0;
  protected tDelta = 0;
  protected leading = 0xff;
  protected trailing = 0;
  protected firstT = 0;

  constructor() {
    // Starts small: most series are quiet.
    super(32);
    this.writeBits(0, 16); // sample count, filled in by bytes()
  }

  get numSamples(): number {
    return this.count;
  }

  get minTime(): number {
    return this.firstT;
  }

  get maxTime(): number {
    return this.t;
  }

  /** Appends a sample; t must not be below the last one (the head refuses out-of-order samples first). */
  append(t: number, v: number): void {
    if (this.count > 0 && t < this.t) throw new RangeError(`out-of-order append to chunk: ${t} < ${this.t}`);
    if (this.count >= 0xffff) throw new RangeError('chunk full');
    asFloat[0] = v;
    const hi = asWords[HI];
    const lo = asWords[1 - HI];
    if (this.count === 0) {
      writeVarint((b) => this.writeByte(b), t);
      this.writeBits64(hi, lo, 64);
      this.firstT = t;
      this.tDelta = 0;
    } else if (this.count === 1) {
      const tDelta = t - this.t;
      writeUvarint((b) => this.writeByte(b), tDelta);
      this.writeValueDelta(hi, lo);
      this.tDelta = tDelta;
    } else {
      const tDelta = t - this.t;
      const dod = tDelta - this.tDelta;
      if (dod === 0) {
        this.writeBit(0);
      } else if (bitRange(dod, 14)) {
        this.writeBits(0b10, 2);
        this.writeBits(dod & 0x3fff, 14);
      } else if (bitRange(dod, 17)) {
        this.writeBits(0b110, 3);
        this.writeBits(dod & 0x1ffff, 17);
      } else if (bitRange(dod, 20)) {
        this.writeBits(0b1110, 4);
        this.writeBits(dod & 0xfffff, 20);
      } else {
        this.writeBits(0b1111, 4);
        const lo64 = ((dod % 0x1_0000_0000) + 0x1_0000_0000) % 0x1_0000_0000;
        const hi64 = ((dod - lo64) / 0x1_0000_0000) >>> 0;
        this.writeBits64(hi64, lo64, 64);
      }
      this.writeValueDelta(hi, lo);
      this.tDelta = tDelta;
    }
    this.t = t;
    this.vHi = hi;
    this.vLo = lo;
    this.count++;
  }

  private writeValueDelta(hi: number, lo: number): void {
    const dHi = (hi ^ this.vHi) >>> 0;
    const dLo = (lo ^ this.vLo) >>> 0;
    if (dHi === 0 && dLo === 0) {
      this.writeBit(0);
      return;
    }
    this.writeBit(1);
    let leading = dHi !== 0 ? Math.clz32(dHi) : 32 + Math.clz32(dLo);
    const trailing = dLo !== 0 ? ctz32(dLo) : 32 + ctz32(dHi);
    if (leading >= 32) leading = 31;
    if (this.leading !== 0xff && leading >= this.leading && trailing >= this.trailing) {
      this.writeBit(0);
      this.writeShifted(dHi, dLo, this.trailing, 64 - this.leading - this.trailing);
    } else {
      this.leading = leading;
      this.trailing = trailing;
      this.writeBit(1);
      this.writeBits(leading, 5);
      const sigbits = 64 - leading - trailing;
      this.writeBits(sigbits & 0x3f, 6); // 64 is written as 0
      this.writeShifted(dHi, dLo, trailing, sigbits);
    }
  }

  /** Writes the low nbits of (hi:lo) >>> shift. */
  private writeShifted(hi: number, lo: number, shift: number, nbits: number): void {
    let sHi: number;
    let sLo: number;
    if (shift === 0) {
      sHi = hi;
      sLo = lo;
    } else if (shift >= 32) {
      sHi = 0;
      sLo = hi >>> (shift - 32);
    } else {
      sHi = hi >>> shift;
      sLo = ((lo >>> shift) | (hi << (32 - shift))) >>> 0;
    }
    this.writeBits64(sHi, sLo, nbits);
  }

  /** Whether `v` has the same bits as the last value appended (Prometheus's duplicate test). */
  lastValueIs(v: number): boolean {
    asFloat[0] = v;
    return this.count > 0 && asWords[HI] === this.vHi && asWords[1 - HI] === this.vLo;
  }

  /** The chunk's bytes as Prometheus stores them (a copy). */
  bytes(): Uint8Array {
    const out = this.toBytes();
    out[0] = this.count >>> 8;
    out[1] = this.count & 0xff;
    return out;
  }

  /** Bytes in use, for memory accounting. */
  get size(): number {
    return this.length;
  }
}

/** Number of samples in an encoded XOR chunk. */
export function xorSampleCount(bytes: Uint8Array): number {
  if (bytes.length < 2) throw new RangeError('chunk shorter than its 2-byte header');
  return (bytes[0] << 8) | bytes[1];
}

/**
 * Decodes every sample of an XOR chunk into the given arrays from `offset`; returns how many it
 * wrote. Throws RangeError on truncated or corrupt data, never reads past the chunk.
 */
export function decodeXOR(bytes: Uint8Array, timestamps: Float64Array, values: Float64Array, offset = 0): number {
  const total = xorSampleCount(bytes);
  if (offset + total > timestamps.length || offset + total > values.length) throw new RangeError('output arrays too small');
  if (total === 0) return 0;
  // The first sample: a varint time and the raw 64 bits of the value, byte aligned. Read in
  // place (no reader object per chunk: a query decodes tens of thousands of chunks).
  const u = uvarintAt(bytes, 2);
  let t = u % 2 === 0 ? u / 2 : -(u + 1) / 2; // zigzag
  let at = uvarintEnd;
  if (at + 8 > bytes.length) throw new RangeError('chunk data ended early');
  let vHi = readBitsAt(bytes, at * 8, 32);
  let vLo = readBitsAt(bytes, at * 8 + 32, 32);
  timestamps[offset] = t;
  values[offset] = bitsFloat(vHi, vLo);
  if (total === 1) return 1;
  let tDelta = uvarintAt(bytes, at + 8);
  at = uvarintEnd;
  // From here on a plain bit position and pure reads (readBitsAt): the hot loop keeps its state
  // in locals, which V8 optimises far better than a reader object's fields.
  let p = at * 8;
  const end = bytes.length * 8;
  let leading = 0;
  let trailing = 0;
  for (let i = 1; i < total; i++) {
    if (i > 1) {
      // Delta-of-delta: a prefix of up to four 1 bits ended by a 0, then 0/14/17/20/64 bits.
      if (p >= end) throw new RangeError('chunk data ended early');
      let dod = 0;
      if (((bytes[p >>> 3] >>> (7 - (p & 7))) & 1) === 0) {
        p++; // the common case: the same interval as before
      } else {
        // Prefix and value in one read: 24 bits hold '10' + 14, '110' + 17 and '1110' + 20 bits
        // (bits past the end read as 0; each bucket checks its own length). Shifts, not `2 **`.
        const w = readBitsAt(bytes, p, 24);
        if (w < 0xc0_0000) {
          if (p + 16 > end) throw new RangeError('chunk data ended early');
          dod = (w >>> 8) & 0x3fff;
          p += 16;
          if (dod > 1 << 13) dod -= 1 << 14;
        } else if (w < 0xe0_0000) {
          if (p + 20 > end) throw new RangeError('chunk data ended early');
          dod = (w >>> 4) & 0x1_ffff;
          p += 20;
          if (dod > 1 << 16) dod -= 1 << 17;
        } else if (w < 0xf0_0000) {
          if (p + 24 > end) throw new RangeError('chunk data ended early');
          dod = w & 0xf_ffff;
          p += 24;
          if (dod > 1 << 19) dod -= 1 << 20;
        } else {
          if (p + 68 > end) throw new RangeError('chunk data ended early');
          const hi = readBitsAt(bytes, p + 4, 32);
          const lo = readBitsAt(bytes, p + 36, 32);
          p += 68;
          dod = (hi >= 0x8000_0000 ? hi - 0x1_0000_0000 : hi) * 0x1_0000_0000 + lo;
        }
      }
      tDelta += dod;
    }
    t += tDelta;
    if (p >= end) throw new RangeError('chunk data ended early');
    if (((bytes[p >>> 3] >>> (7 - (p & 7))) & 1) === 1) {
      p++;
      if (p >= end) throw new RangeError('chunk data ended early');
      const fresh = (bytes[p >>> 3] >>> (7 - (p & 7))) & 1;
      p++;
      if (fresh === 1) {
        if (p + 11 > end) throw new RangeError('chunk data ended early');
        const counts = readBitsAt(bytes, p, 11); // 5 bits of leading zeros, 6 of meaningful bits
        leading = counts >>> 6;
        let mbits = counts & 63;
        p += 11;
        if (mbits === 0) mbits = 64;
        trailing = 64 - leading - mbits;
        if (trailing < 0) throw new RangeError('corrupt chunk: invalid value bit counts');
      }
      const mbits = 64 - leading - trailing;
      if (p + mbits > end) throw new RangeError('chunk data ended early');
      let hi = 0;
      if (mbits > 32) {
        hi = readBitsAt(bytes, p, mbits - 32);
        p += mbits - 32;
      }
      const lowBits = mbits > 32 ? 32 : mbits;
      let lo = readBitsAt(bytes, p, lowBits);
      p += lowBits;
      // (hi:lo) <<= trailing
      if (trailing >= 32) {
        hi = (lo << (trailing - 32)) >>> 0;
        lo = 0;
      } else if (trailing > 0) {
        hi = ((hi << trailing) | (lo >>> (32 - trailing))) >>> 0;
        lo = (lo << trailing) >>> 0;
      }
      vHi = (vHi ^ hi) >>> 0;
      vLo = (vLo ^ lo) >>> 0;
    } else p++;
    timestamps[offset + i] = t;
    values[offset + i] = bitsFloat(vHi, vLo);
  }
  return total;
}

/** Where the last uvarintAt ended (a second result without an object). */
let uvarintEnd = 0;

/** The uvarint at byte `at` (Go's encoding, exact below 2^53); sets uvarintEnd. */
function uvarintAt(b: Uint8Array, at: number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (at >= b.length) throw new RangeError('chunk data ended early');
    const byte = b[at++];
    result += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      uvarintEnd = at;
      return result;
    }
    scale *= 0x80;
  }
  throw new RangeError('varint overflows 64 bits');
}

/**
 * `n` (1..32) bits at bit position `p` as an unsigned number (the caller checked the bounds):
 * the 40 bits from p's byte on, shifted. Bytes past the end read as 0 and are never used.
 */
function readBitsAt(b: Uint8Array, p: number, n: number): number {
  const i = p >>> 3;
  const off = p & 7;
  const word = ((b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0)) >>> 0;
  const window = off === 0 ? word : ((word << off) | ((b[i + 4] | 0) >>> (8 - off))) >>> 0;
  return n === 32 ? window : window >>> (32 - n);
}

/** Reusable output columns (storage's SampleBuffer, by shape). */
export interface DecodeTarget {
  timestamps: Float64Array;
  values: Float64Array;
  reserve(n: number): void;
}

/**
 * Chunks that follow one another in time decoded into one pair of columns, trimmed to
 * [mint, maxt] (only the first and last chunk can stick out). New arrays, or views of `into`'s
 * when given (valid until it is used again).
 */
export function decodeChunkRange(chunks: ReadonlyArray<{ bytes: Uint8Array }>, mint: number, maxt: number, into?: DecodeTarget): { timestamps: Float64Array; values: Float64Array } {
  let total = 0;
  for (const c of chunks) total += xorSampleCount(c.bytes);
  into?.reserve(total);
  const t = into ? into.timestamps : new Float64Array(total);
  const v = into ? into.values : new Float64Array(total);
  let at = 0;
  for (const c of chunks) at += decodeXOR(c.bytes, t, v, at);
  let lo = 0;
  while (lo < total && t[lo] < mint) lo++;
  let hi = total;
  while (hi > lo && t[hi - 1] > maxt) hi--;
  return { timestamps: t.subarray(lo, hi), values: v.subarray(lo, hi) };
}
