/**
 * Framing of Myelin's binary RPC (docs/format/ingester-rpc.md). Every frame:
 *   u32 LE length of the rest | u32 LE request id | u8 kind | body
 * kind 1 request:  u8 pattern length, pattern (ASCII), payload
 * kind 2 response: payload
 * kind 3 error:    u16 LE status (HTTP-like: 4xx bad data, 5xx retryable), UTF-8 message
 */
export const KIND_REQUEST = 1;
export const KIND_RESPONSE = 2;
export const KIND_ERROR = 3;

export const MAX_FRAME = 512 << 20;

export interface Frame {
  id: number;
  kind: number;
  /** Request pattern (kind 1). */
  pattern: string;
  /** Payload (kinds 1 and 2). */
  payload: Buffer;
  /** Error status and message (kind 3). */
  status: number;
  message: string;
}

export function encodeRequest(id: number, pattern: string, payload: readonly Buffer[]): Buffer[] {
  const size = payload.reduce((n, p) => n + p.length, 0);
  const head = Buffer.allocUnsafe(4 + 4 + 1 + 1 + pattern.length);
  head.writeUInt32LE(4 + 1 + 1 + pattern.length + size, 0);
  head.writeUInt32LE(id, 4);
  head.writeUInt8(KIND_REQUEST, 8);
  head.writeUInt8(pattern.length, 9);
  head.write(pattern, 10, 'latin1');
  return [head, ...payload];
}

export function encodeResponse(id: number, payload: readonly Buffer[]): Buffer[] {
  const size = payload.reduce((n, p) => n + p.length, 0);
  const head = Buffer.allocUnsafe(9);
  head.writeUInt32LE(4 + 1 + size, 0);
  head.writeUInt32LE(id, 4);
  head.writeUInt8(KIND_RESPONSE, 8);
  return [head, ...payload];
}

export function encodeError(id: number, status: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const b = Buffer.allocUnsafe(11 + text.length);
  b.writeUInt32LE(4 + 1 + 2 + text.length, 0);
  b.writeUInt32LE(id, 4);
  b.writeUInt8(KIND_ERROR, 8);
  b.writeUInt16LE(status, 9);
  text.copy(b, 11);
  return b;
}

/** Splits a byte stream into frames; throws on a malformed one (the connection is then closed). */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer, onFrame: (f: Frame) => void): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.peek(4);
      const length = head.readUInt32LE(0);
      if (length < 5 || length > MAX_FRAME) throw new Error(`bad RPC frame length ${length}`);
      if (this.buffered < 4 + length) return;
      const frame = this.take(4 + length);
      onFrame(parseFrame(frame));
    }
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    return Buffer.concat(this.chunks, n);
  }

  private take(n: number): Buffer {
    let out: Buffer;
    if (this.chunks[0].length >= n) {
      out = this.chunks[0].subarray(0, n);
      this.chunks[0] = this.chunks[0].subarray(n);
      if (this.chunks[0].length === 0) this.chunks.shift();
    } else {
      const all = Buffer.concat(this.chunks, this.buffered);
      out = all.subarray(0, n);
      this.chunks = all.length > n ? [all.subarray(n)] : [];
    }
    this.buffered -= n;
    return out;
  }
}

function parseFrame(b: Buffer): Frame {
  const id = b.readUInt32LE(4);
  const kind = b.readUInt8(8);
  const frame: Frame = { id, kind, pattern: '', payload: EMPTY, status: 0, message: '' };
  if (kind === KIND_REQUEST) {
    const plen = b.readUInt8(9);
    if (10 + plen > b.length) throw new Error('bad RPC request frame');
    frame.pattern = b.toString('latin1', 10, 10 + plen);
    frame.payload = b.subarray(10 + plen);
  } else if (kind === KIND_RESPONSE) {
    frame.payload = b.subarray(9);
  } else if (kind === KIND_ERROR) {
    if (b.length < 11) throw new Error('bad RPC error frame');
    frame.status = b.readUInt16LE(9);
    frame.message = b.toString('utf8', 11);
  } else {
    throw new Error(`bad RPC frame kind ${kind}`);
  }
  return frame;
}

const EMPTY = Buffer.alloc(0);
