/**
 * A big-endian bit stream over a growable byte array, as Prometheus's bstream: bits fill each byte
 * from the most significant end. Values wider than 32 bits are written as (hi, lo) 32-bit halves,
 * so no BigInt is needed on the append path.
 */
export class BitWriter {
  protected buf: Uint8Array;
  /** Bytes in use; the last one may be partly filled. */
  length = 0;
  /** Free bits in the last byte (0 when byte-aligned or empty). */
  private free = 0;

  constructor(initialCapacity = 128) {
    this.buf = new Uint8Array(initialCapacity);
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }

  writeBit(bit: number): void {
    if (this.free === 0) {
      if (this.length === this.buf.length) this.grow();
      this.buf[this.length++] = 0;
      this.free = 8;
    }
    this.free--;
    if (bit) this.buf[this.length - 1] |= 1 << this.free;
  }

  /** Writes the low `nbits` (0..32) bits of `value`, most significant first. */
  writeBits(value: number, nbits: number): void {
    while (nbits > 0) {
      if (this.free === 0) {
        if (this.length === this.buf.length) this.grow();
        this.buf[this.length++] = 0;
        this.free = 8;
      }
      const take = Math.min(this.free, nbits);
      const shift = nbits - take;
      const chunk = (value >>> shift) & ((1 << take) - 1);
      this.free -= take;
      this.buf[this.length - 1] |= chunk << this.free;
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
    return this.buf.slice(0, this.length);
  }
}

/** Reads a bit stream written by BitWriter; throws RangeError past the end. */
export class BitReader {
  private pos = 0;
  /** Bits already consumed in bytes[pos]. */
  private bit = 0;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  readBit(): number {
    if (this.pos >= this.end) throw new RangeError('chunk data ended early');
    const b = (this.bytes[this.pos] >>> (7 - this.bit)) & 1;
    if (++this.bit === 8) {
      this.bit = 0;
      this.pos++;
    }
    return b;
  }

  /** Reads `nbits` (0..32) bits as an unsigned number. */
  readBits(nbits: number): number {
    let out = 0;
    while (nbits > 0) {
      if (this.pos >= this.end) throw new RangeError('chunk data ended early');
      const avail = 8 - this.bit;
      const take = Math.min(avail, nbits);
      const chunk = (this.bytes[this.pos] >>> (avail - take)) & ((1 << take) - 1);
      out = out * (1 << take) + chunk; // multiplication keeps 32-bit results unsigned
      this.bit += take;
      if (this.bit === 8) {
        this.bit = 0;
        this.pos++;
      }
      nbits -= take;
    }
    return out;
  }

  readByte(): number {
    return this.readBits(8);
  }
}
