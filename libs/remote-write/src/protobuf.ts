import { withRoom } from '@myelin/model';

/**
 * Just enough protobuf for remote write, over plain byte arrays: a bounds-checked reader that
 * never allocates per field, and a writer for tests and benchmarks. Malformed input throws
 * DecodeError (the receiver answers 400).
 */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class ProtoReader {
  pos: number;
  readonly view: DataView;

  /** `view` may be shared with the parent message's reader (a DataView per message is costly). */
  constructor(
    readonly buf: Uint8Array,
    start = 0,
    public end = buf.length,
    view?: DataView,
  ) {
    this.pos = start;
    this.view = view ?? new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** An unsigned varint up to 2^53 (exact), or an int64 when `signed` (two's complement, 10 bytes for negatives). */
  varint(signed = false): number {
    const buf = this.buf;
    let b = this.byte();
    if (b < 0x80) return b;
    let lo = b & 0x7f;
    let shift = 7;
    // low 28 bits
    while (shift < 28) {
      b = this.byte();
      lo |= (b & 0x7f) << shift;
      if (b < 0x80) return lo >>> 0;
      shift += 7;
    }
    // bits 28..31 go to lo, 32..34 to hi
    b = this.byte();
    lo = (lo | ((b & 0x0f) << 28)) >>> 0;
    let hi = (b & 0x7f) >>> 4;
    if (b >= 0x80) {
      shift = 3;
      for (let i = 0; i < 5; i++) {
        b = this.byte();
        hi |= (b & 0x7f) << shift;
        if (b < 0x80) break;
        shift += 7;
        if (i === 4) throw new DecodeError(`varint longer than 10 bytes at byte ${this.pos}`);
      }
    }
    hi >>>= 0;
    void buf;
    if (signed && hi >= 0x8000_0000) return (hi - 0x1_0000_0000) * 0x1_0000_0000 + lo;
    return hi * 0x1_0000_0000 + lo;
  }

  private byte(): number {
    if (this.pos >= this.end) throw new DecodeError(`truncated varint at byte ${this.pos}`);
    return this.buf[this.pos++];
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new DecodeError(`truncated double at byte ${this.pos}`);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Reads a length prefix and returns the end of the delimited field, checked against the message. */
  lengthDelimitedEnd(): number {
    const len = this.varint();
    const end = this.pos + len;
    if (end > this.end) throw new DecodeError(`field of ${len} bytes at byte ${this.pos} overruns its message (${this.end - this.pos} bytes left)`);
    return end;
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.pos = this.lengthDelimitedEnd();
        return;
      case WIRE_FIXED32:
        this.advance(4);
        return;
      default:
        throw new DecodeError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
  }

  private advance(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError(`truncated field at byte ${this.pos}`);
    this.pos += n;
  }
}

/** A growable protobuf writer (tests, benchmarks, and the encoder a sender would use). */
export class ProtoWriter {
  private buf: Uint8Array = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private ensure(n: number): void {
    const next = withRoom(this.buf, this.length, n);
    if (next === this.buf) return;
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(v: number): this {
    this.ensure(10);
    if (v < 0) {
      // int64 two's complement: 10 bytes
      let lo = v % 0x1_0000_0000;
      let hi = Math.floor(v / 0x1_0000_0000);
      lo = (lo + 0x1_0000_0000) % 0x1_0000_0000;
      hi = (hi + 0x1_0000_0000) % 0x1_0000_0000;
      for (let i = 0; i < 4; i++) {
        this.buf[this.length++] = (lo & 0x7f) | 0x80;
        lo >>>= 7;
      }
      this.buf[this.length++] = (lo & 0x0f) | ((hi & 0x07) << 4) | 0x80;
      hi >>>= 3;
      for (let i = 0; i < 4; i++) {
        this.buf[this.length++] = (hi & 0x7f) | 0x80;
        hi >>>= 7;
      }
      this.buf[this.length++] = hi & 0x01;
      return this;
    }
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  double(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  string(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  /** Writes a length-delimited sub-message built by `build`. */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    this.tag(field, WIRE_LEN);
    return this.bytes(inner.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
