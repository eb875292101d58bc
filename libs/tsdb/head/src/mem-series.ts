import type { Labels } from '@myelin/model';
import { decodeChunkRange, decodeXOR, SAMPLES_PER_CHUNK, XORChunk } from '@myelin/tsdb-chunkenc';

/** A completed chunk: its encoded bytes and time range. */
export interface ClosedChunk {
  readonly bytes: Uint8Array;
  readonly minTime: number;
  readonly maxTime: number;
  readonly numSamples: number;
}

/** Shared by every series without closed chunks (most of them): never mutated. */
const NO_CHUNKS: readonly ClosedChunk[] = Object.freeze([]);

export const enum AppendResult {
  Appended = 0,
  /** Same timestamp and same value as the last sample: dropped silently, as Prometheus does. */
  Duplicate = 1,
  OutOfOrder = 2,
  /** Same timestamp, different value. */
  DuplicateTimestamp = 3,
}

/**
 * One series in the head: closed XOR chunks plus the open one, which always holds the newest
 * sample (so the last timestamp and value are read from it, not kept twice). Kept small: a head
 * has one of these per active series.
 */
export class MemSeries {
  private closedChunks: readonly ClosedChunk[] = NO_CHUNKS;
  private open: XORChunk | undefined;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
  ) {}

  get closed(): readonly ClosedChunk[] {
    return this.closedChunks;
  }

  /** The newest sample's timestamp; -Infinity for an empty series. */
  get lastT(): number {
    return this.open && this.open.numSamples > 0 ? this.open.maxTime : -Infinity;
  }

  append(t: number, v: number): AppendResult {
    const last = this.lastT;
    if (t < last) return AppendResult.OutOfOrder;
    if (t === last) return this.open!.lastValueIs(v) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    if (!this.open || this.open.numSamples >= SAMPLES_PER_CHUNK) this.cut();
    this.open!.append(t, v);
    return AppendResult.Appended;
  }

  private cut(): void {
    if (this.open && this.open.numSamples > 0) {
      this.closedChunks = [...this.closedChunks, { bytes: this.open.bytes(), minTime: this.open.minTime, maxTime: this.open.maxTime, numSamples: this.open.numSamples }];
    }
    this.open = new XORChunk();
  }

  /**
   * Takes every sample before `maxt` out of the series, as chunks for a block: whole chunks as
   * they are, the one chunk that straddles `maxt` split in two (both halves re-encoded). Samples
   * at or after `maxt` stay. (The head refuses samples before `maxt` from then on.)
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
    this.closedChunks = kept.length > 0 ? kept : NO_CHUNKS;
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
  /** The chunks overlapping [mint, maxt], still encoded (the open one as its current bytes), in time order. */
  chunks(mint: number, maxt: number): Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> {
    const out: Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> = [];
    for (const c of this.closed) if (c.maxTime >= mint && c.minTime <= maxt) out.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes });
    if (this.open && this.open.numSamples > 0 && this.open.maxTime >= mint && this.open.minTime <= maxt) out.push({ minTime: this.open.minTime, maxTime: this.open.maxTime, bytes: this.open.bytes() });
    return out;
  }

  samples(mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } {
    return decodeChunkRange(this.chunks(mint, maxt), mint, maxt);
  }
}
