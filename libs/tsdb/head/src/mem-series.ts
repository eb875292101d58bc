import type { Labels } from '@myelin/model';
import { decodeChunkRange, decodeXOR, SAMPLES_PER_CHUNK, XORChunk, type XORChunkArena } from '@myelin/tsdb-chunkenc';

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

function closedOf(c: XORChunk): ClosedChunk {
  return { bytes: c.bytes(), minTime: c.minTime, maxTime: c.maxTime, numSamples: c.numSamples };
}

/** No open chunk (a new series, or one whose samples all went into a block). */
const NO_SLOT = -1;

/**
 * One series in the head: closed XOR chunks plus the open one, which always holds the newest
 * sample (so the last timestamp and value are read from it, not kept twice). The open chunk lives
 * in the head's XORChunkArena, so a series is this small object and a slot there. Kept small: a
 * head has one of these per active series.
 */
export class MemSeries {
  private closedChunks: readonly ClosedChunk[] = NO_CHUNKS;
  /** The open chunk's slot in `arena`, or NO_SLOT. */
  private slot = NO_SLOT;

  constructor(
    readonly ref: number,
    readonly labels: Labels,
    private readonly arena: XORChunkArena,
  ) {}

  get closed(): readonly ClosedChunk[] {
    return this.closedChunks;
  }

  /** Samples in the open chunk (0 without one). */
  private get openCount(): number {
    return this.slot === NO_SLOT ? 0 : this.arena.numSamples(this.slot);
  }

  /** The newest sample's timestamp; -Infinity for an empty series. */
  get lastT(): number {
    return this.openCount > 0 ? this.arena.maxTime(this.slot) : -Infinity;
  }

  append(t: number, v: number): AppendResult {
    const last = this.lastT;
    if (t < last) return AppendResult.OutOfOrder;
    if (t === last) return this.arena.lastValueIs(this.slot, v) ? AppendResult.Duplicate : AppendResult.DuplicateTimestamp;
    if (this.slot === NO_SLOT) this.slot = this.arena.alloc();
    else if (this.arena.numSamples(this.slot) >= SAMPLES_PER_CHUNK) this.cut();
    this.arena.append(this.slot, t, v);
    return AppendResult.Appended;
  }

  /** Closes the (full) open chunk and starts an empty one in the same slot. */
  private cut(): void {
    this.closedChunks = [...this.closedChunks, this.openAsClosed()];
    this.arena.reset(this.slot);
  }

  private openAsClosed(): ClosedChunk {
    const slot = this.slot;
    return { bytes: this.arena.bytes(slot), minTime: this.arena.minTime(slot), maxTime: this.arena.maxTime(slot), numSamples: this.arena.numSamples(slot) };
  }

  /** Gives the open chunk's slot back to the arena (the series is leaving the head, or is empty). */
  release(): void {
    if (this.slot !== NO_SLOT) this.arena.release(this.slot);
    this.slot = NO_SLOT;
  }

  /**
   * Takes every sample before `maxt` out of the series, as chunks for a block: whole chunks as
   * they are, the one chunk that straddles `maxt` split in two (both halves re-encoded). Samples
   * at or after `maxt` stay. (The head refuses samples before `maxt` from then on.)
   */
  cutBefore(maxt: number): ClosedChunk[] {
    const out: ClosedChunk[] = [];
    const kept: ClosedChunk[] = [];
    let straddle: { chunk: ClosedChunk; open: boolean } | undefined;
    for (const c of this.closed) {
      if (c.maxTime < maxt) out.push(c);
      else if (c.minTime >= maxt) kept.push(c);
      else straddle = { chunk: c, open: false };
    }
    let keepOpen = this.openCount > 0;
    if (keepOpen && this.arena.minTime(this.slot) < maxt) {
      const open = this.openAsClosed();
      if (open.maxTime < maxt) out.push(open);
      else straddle = { chunk: open, open: true };
      keepOpen = false;
    }
    if (!keepOpen) this.release();
    if (straddle) {
      const { chunk } = straddle;
      const t = new Float64Array(chunk.numSamples);
      const v = new Float64Array(chunk.numSamples);
      decodeXOR(chunk.bytes, t, v);
      const below = new XORChunk();
      for (let i = 0; i < t.length && t[i] < maxt; i++) below.append(t[i], v[i]);
      if (below.numSamples > 0) out.push(closedOf(below));
      if (below.numSamples < t.length) {
        if (straddle.open) {
          this.slot = this.arena.alloc();
          for (let i = below.numSamples; i < t.length; i++) this.arena.append(this.slot, t[i], v[i]);
        } else {
          const above = new XORChunk();
          for (let i = below.numSamples; i < t.length; i++) above.append(t[i], v[i]);
          kept.unshift(closedOf(above));
        }
      }
    }
    this.closedChunks = kept.length > 0 ? kept : NO_CHUNKS;
    return out;
  }

  get numSamples(): number {
    let n = this.openCount;
    for (const c of this.closed) n += c.numSamples;
    return n;
  }

  get minTime(): number {
    return this.closed[0]?.minTime ?? (this.openCount > 0 ? this.arena.minTime(this.slot) : Infinity);
  }

  /** The chunks overlapping [mint, maxt], still encoded (the open one as its current bytes), in time order. */
  chunks(mint: number, maxt: number): Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> {
    const out: Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> = [];
    for (const c of this.closed) if (c.maxTime >= mint && c.minTime <= maxt) out.push(c); // immutable: given as it is
    const slot = this.slot;
    if (this.openCount > 0 && this.arena.maxTime(slot) >= mint && this.arena.minTime(slot) <= maxt) out.push({ minTime: this.arena.minTime(slot), maxTime: this.arena.maxTime(slot), bytes: this.arena.bytes(slot) });
    return out;
  }

  samples(mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } {
    return decodeChunkRange(this.chunks(mint, maxt), mint, maxt);
  }
}
