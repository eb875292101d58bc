import { withRoom } from '@myelin/model';

/**
 * A big-endian bit stream over a growable byte array, as Prometheus's bstream: bits fill each byte
 * from the most significant end. Values wider than 32 bits are written as (hi, lo) 32-bit halves,
 * so no BigInt is needed on the append path.
 */
export class BitWriter {
  protected buf: Uint8Array;
  /** Where the stream starts in `buf`: not 0 when it lives in a block of a shared buffer. */
  protected base = 0;
  /** Bytes the stream may use from `base` before it must grow. */
  protected capacity: number;
  /** Bytes in use; the last one may be partly filled. */
  length = 0;
  /** Free bits in the last byte (0 when byte-aligned or empty). */
  protected free = 0;

  constructor(initialCapacity = 128) {
    this.buf = new Uint8Array(initialCapacity);
    this.capacity = initialCapacity;
  }

  /** Makes room for one more byte (a subclass may move the stream elsewhere). */
  protected grow(): void {
    this.buf = withRoom(this.buf, this.length, 1);
    this.capacity = this.buf.length;
  }

  private nextByte(): void {
    if (this.length === this.capacity) this.grow();
    this.buf[this.base + this.length++] = 0;
    this.free = 8;
  }

  writeBit(bit: number): void {
    if (this.free === 0) this.nextByte();
    this.free--;
    if (bit) this.buf[this.base + this.length - 1] |= 1 << this.free;
  }

  /** Writes the low `nbits` (0..32) bits of `value`, most significant first. */
  writeBits(value: number, nbits: number): void {
    while (nbits > 0) {
      if (this.free === 0) this.nextByte();
      const take = Math.min(this.free, nbits);
      const shift = nbits - take;
      const chunk = (value >>> shift) & ((1 << take) - 1);
      this.free -= take;
      this.buf[this.base + this.length - 1] |= chunk << this.free;
      nbits -= take;
    }
  }

  /** Writes the low `nbits` (0..64) bits of the 64-bit value hi:lo. */
  writeBits64(hi: number, lo: number, nbits: number): void {
    if (nbits > 32) {
      this.writeBits(hi, nbits - 32);
      this.writeBits(lo, 32);
    } else {
      this.writeBits(lo, nbits);
    }
  }

  writeByte(byte: number): void {
    this.writeBits(byte & 0xff, 8);
  }

  /** The written bytes (a copy, trimmed). */
  toBytes(): Uint8Array {
    return this.buf.slice(this.base, this.base + this.length);
  }
}

/** Reads a bit stream written by BitWriter; throws RangeError past the end. */
export class BitReader {
  /** The next bit to read, counted from the start of `bytes`. */
  private bitPos: number;
  private readonly endBit: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    end = bytes.length,
  ) {
    this.bitPos = start * 8;
    this.endBit = end * 8;
  }

  readBit(): number {
    const p = this.bitPos;
    if (p >= this.endBit) throw new RangeError('chunk data ended early');
    this.bitPos = p + 1;
    return (this.bytes[p >>> 3] >>> (7 - (p & 7))) & 1;
  }

  /**
   * Reads `nbits` (0..32) bits as an unsigned number: the 40 bits from the current byte on are
   * loaded at once and the wanted ones shifted out (no loop per byte; decoding is hot).
   */
  readBits(nbits: number): number {
    if (nbits === 0) return 0;
    const p = this.bitPos;
    if (p + nbits > this.endBit) throw new RangeError('chunk data ended early');
    this.bitPos = p + nbits;
    const b = this.bytes;
    const i = p >>> 3;
    const off = p & 7;
    // Bytes past the end read as 0 (undefined | 0); only bits before endBit are ever used.
    const word = ((b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0)) >>> 0;
    const window = off === 0 ? word : ((word << off) | ((b[i + 4] | 0) >>> (8 - off))) >>> 0;
    return nbits === 32 ? window : window >>> (32 - nbits);
  }

  /** The next bit's position from the start of the bytes. */
  get position(): number {
    return this.bitPos;
  }

  readByte(): number {
    return this.readBits(8);
  }
}
