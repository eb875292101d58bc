import { withRoom } from '@myelin/model';
import { crc32c } from '@myelin/tsdb-chunkenc';

/** A growable big-endian byte writer with Go varints, for the block formats. */
export class ByteWriter {
  buf: Uint8Array = new Uint8Array(4096);
  length = 0;

  private ensure(n: number): void {
    this.buf = withRoom(this.buf, this.length, n);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  be32(v: number): void {
    this.ensure(4);
    this.buf[this.length++] = (v >>> 24) & 0xff;
    this.buf[this.length++] = (v >>> 16) & 0xff;
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  be64(v: number): void {
    this.be32(Math.floor(v / 0x1_0000_0000));
    this.be32(v >>> 0);
  }

  uvarint(v: number): void {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  varint(v: number): void {
    this.uvarint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** uvarint length + UTF-8 bytes. */
  str(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.uvarint(b.length);
    this.bytes(b);
  }

  padTo(align: number): void {
    while (this.length % align !== 0) this.u8(0);
  }

  /** Overwrites 4 bytes at `at` (a length written before its content was known). */
  putBe32At(at: number, v: number): void {
    this.buf[at] = (v >>> 24) & 0xff;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  /**
   * A section as the index format frames every table and list: the content's length (be32), the
   * content `write` appends, its CRC-32C.
   */
  framed(write: () => void): void {
    const lenAt = this.length;
    this.be32(0);
    const from = this.length;
    write();
    this.putBe32At(lenAt, this.length - from);
    this.crcFrom(from);
  }

  /** Appends the CRC-32C of [from, length) as 4 big-endian bytes. */
  crcFrom(from: number): void {
    this.be32(crc32c(this.buf, 0, from, this.length));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export class FormatError extends Error {
  override readonly name = 'FormatError';
}

/** A bounds-checked big-endian reader; errors name the file through `what`. */
export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    readonly what: string,
    start = 0,
    public end = buf.length,
  ) {
    this.pos = start;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new FormatError(`${this.what}: truncated at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  be32(): number {
    this.need(4);
    const b = this.buf;
    const v = ((b[this.pos] << 24) | (b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]) >>> 0;
    this.pos += 4;
    return v;
  }

  be64(): number {
    const hi = this.be32();
    const lo = this.be32();
    return hi * 0x1_0000_0000 + lo;
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.u8();
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    throw new FormatError(`${this.what}: varint too long at byte ${this.pos}`);
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  str(): string {
    const n = this.uvarint();
    const b = this.bytes(n);
    return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  }

  /** Checks the big-endian CRC-32C stored right after [from, pos). */
  checkCrc(from: number, section: string): void {
    const computed = crc32c(this.buf, 0, from, this.pos);
    const stored = this.be32();
    if (computed !== stored) throw new FormatError(`${this.what}: ${section} checksum mismatch`);
  }
}
