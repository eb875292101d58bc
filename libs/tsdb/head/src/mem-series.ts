import type { Labels } from '@myelin/model';
import { decodeXOR, SAMPLES_PER_CHUNK, XORChunk } from '@myelin/tsdb-chunkenc';

/** A completed chunk: its encoded bytes and time range. */
export interface ClosedChunk {
  readonly bytes: Uint8Array;
  readonly minTime: number;
  readonly maxTime: number;
  readonly numSamples: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** Same float bits (so NaN == NaN with the same payload), as Prometheus compares duplicates. */
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  const a0 = u32[0];
  const a1 = u32[1];
  f64[0] = b;
  return a0 === u32[0] && a1 === u32[1];
}

export const enum AppendResult {
  Appended = 0,
  /** Same timestamp and same value as the last sample: dropped silently, as Prometheus does. */
  Duplicate = 1,
  OutOfOrder = 2,
  /** Same timestamp, different value. */
  DuplicateTimestamp = 3,
}

/** One series in the head: closed XOR chunks plus the open one. */
export class MemSeries {
  readonly closed: ClosedChunk[] = [];
  private open: XORChunk | undefined;
  lastT = -Infinity;
  lastV = NaN;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
  ) {}

  append(t: number, v: number): AppendResult {
    if (t < this.lastT) return AppendResult.OutOfOrder;
    if (t === this.lastT) return sameBits(v, this.lastV) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    if (!this.open || this.open.numSamples >= SAMPLES_PER_CHUNK) this.cut();
    this.open!.append(t, v);
    this.lastT = t;
    this.lastV = v;
    return AppendResult.Appended;
  }

  private cut(): void {
    if (this.open && this.open.numSamples > 0) {
      this.closed.push({ bytes: this.open.bytes(), minTime: this.open.minTime, maxTime: this.open.maxTime, numSamples: this.open.numSamples });
    }
    this.open = new XORChunk();
  }

  /**
   * Takes every sample before `maxt` out of the series, as chunks for a block: whole chunks as
   * they are, the one chunk that straddles `maxt` split in two (both halves re-encoded). Samples
   * at or after `maxt` stay. The last timestamp is kept, so older samples are still refused.
   */
  cutBefore(maxt: number): ClosedChunk[] {
    const out: ClosedChunk[] = [];
    const kept: ClosedChunk[] = [];
    let straddle: { bytes: Uint8Array; numSamples: number; open: boolean } | undefined;
    for (const c of this.closed) {
      if (c.maxTime < maxt) out.push(c);
      else if (c.minTime >= maxt) kept.push(c);
      else straddle = { bytes: c.bytes, numSamples: c.numSamples, open: false };
    }
    const open = this.open && this.open.numSamples > 0 ? this.open : undefined;
    let keepOpen = open;
    if (open) {
      if (open.maxTime < maxt) {
        out.push({ bytes: open.bytes(), minTime: open.minTime, maxTime: open.maxTime, numSamples: open.numSamples });
        keepOpen = undefined;
      } else if (open.minTime < maxt) {
        straddle = { bytes: open.bytes(), numSamples: open.numSamples, open: true };
        keepOpen = undefined;
      }
    }
    if (straddle) {
      const t = new Float64Array(straddle.numSamples);
      const v = new Float64Array(straddle.numSamples);
      decodeXOR(straddle.bytes, t, v);
      const below = new XORChunk();
      const above = new XORChunk();
      for (let i = 0; i < t.length; i++) (t[i] < maxt ? below : above).append(t[i], v[i]);
      if (below.numSamples > 0) out.push({ bytes: below.bytes(), minTime: below.minTime, maxTime: below.maxTime, numSamples: below.numSamples });
      if (above.numSamples > 0) {
        if (straddle.open) keepOpen = above;
        else kept.unshift({ bytes: above.bytes(), minTime: above.minTime, maxTime: above.maxTime, numSamples: above.numSamples });
      }
    }
    this.closed.length = 0;
    this.closed.push(...kept);
    this.open = keepOpen;
    return out;
  }

  get numSamples(): number {
    let n = this.open?.numSamples ?? 0;
    for (const c of this.closed) n += c.numSamples;
    return n;
  }

  get minTime(): number {
    return this.closed[0]?.minTime ?? this.open?.minTime ?? Infinity;
  }

  /** Samples in [mint, maxt] as typed arrays. */
  samples(mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } {
    const chunks: Array<{ bytes: Uint8Array; numSamples: number }> = [];
    let total = 0;
    for (const c of this.closed) {
      if (c.maxTime < mint || c.minTime > maxt) continue;
      chunks.push(c);
      total += c.numSamples;
    }
    if (this.open && this.open.numSamples > 0 && this.open.maxTime >= mint && this.open.minTime <= maxt) {
      chunks.push({ bytes: this.open.bytes(), numSamples: this.open.numSamples });
      total += this.open.numSamples;
    }
    let t = new Float64Array(total);
    let v = new Float64Array(total);
    let at = 0;
    for (const c of chunks) at += decodeXOR(c.bytes, t, v, at);
    // Trim to [mint, maxt] (only the first and last chunk can stick out).
    let lo = 0;
    while (lo < total && t[lo] < mint) lo++;
    let hi = total;
    while (hi > lo && t[hi - 1] > maxt) hi--;
    if (lo > 0 || hi < total) {
      t = t.slice(lo, hi);
      v = v.slice(lo, hi);
    }
    return { timestamps: t, values: v };
  }
}
