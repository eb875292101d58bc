import { compareLabels, encodeLabels, formatLabels, type Label, labelKeyOf, type Labels, type Matcher } from '@myelin/model';
import type { Querier, Series, SeriesSet } from '@myelin/storage';
import { XORChunkArena } from '@myelin/tsdb-chunkenc';
import { AppendResult, MemSeries } from './mem-series';
import { Postings } from './postings';

/** A push as the head takes it: series labels, and their samples in shared columns. */
export interface AppendBatch {
  readonly seriesCount: number;
  /**
   * Series i's key: the latin1 string of its canonical label bytes (model's encodeLabels and
   * labelKeyOf). Known series are found by key alone; labelsOf is called only for new ones.
   */
  keyOf(series: number): string;
  labelsOf(series: number): Labels;
  /** Samples of series i are [offsets[i], offsets[i+1]). */
  readonly offsets: Int32Array;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/** Why samples were refused; the first of each kind is kept to tell the sender. */
export type RejectReason = 'out-of-order' | 'duplicate-timestamp' | 'series-limit' | 'out-of-bounds';

export interface AppendOutcome {
  appended: number;
  /** Same timestamp and value as before: accepted without storing (Prometheus does the same). */
  duplicates: number;
  rejected: Record<RejectReason, number>;
  /** The first refusal, worded for the sender: names the series and the rule. */
  firstError: string | undefined;
  /** Series created by this batch (the WAL records them before their samples). */
  newSeries: MemSeries[];
  /** What was stored, for the WAL: refs[i] got (timestamps[i], values[i]) for i < count. */
  wal: { count: number; refs: Uint32Array; timestamps: Float64Array; values: Float64Array };
}

export interface TenantLimits {
  /** Most series this tenant may have in this ingester (0: no limit). */
  maxSeries: number;
}

/** Series handled between two yields while cutting a block (about 4 ms of work). */
const CUT_SLICE = 200;

/** Allocates series refs unique across the ingester (the WAL refers to series by ref). */
export interface RefSource {
  next(): number;
}

/** One tenant's in-memory head: series by label set, postings, samples in XOR chunks. */
export class TenantHead {
  private readonly series = new Map<string, MemSeries>();
  private readonly byRef = new Map<number, MemSeries>();
  private readonly postings = new Postings();
  /** When the last sample was appended (clock ms), for idle head compaction. */
  lastAppend = 0;
  /** Samples before this are in blocks already; newer ones only are accepted (Prometheus's out-of-bounds rule). */
  minValidTime = -Infinity;
  /** Label pairs shared by every series that has them (most pairs repeat across series). */
  private readonly pairs = new Map<string, Label>();
  /** Every series' open chunk. */
  private readonly openChunks = new XORChunkArena();
  minTime = Infinity;
  maxTime = -Infinity;
  numSamples = 0;

  constructor(
    readonly tenant: string,
    private readonly refs: RefSource,
  ) {}

  get numSeries(): number {
    return this.series.size;
  }

  /** Appends a batch. Never throws for bad samples: refusals are counted and described. */
  append(batch: AppendBatch, limits: TenantLimits): AppendOutcome {
    const total = batch.offsets[batch.seriesCount];
    const out: AppendOutcome = {
      appended: 0,
      duplicates: 0,
      rejected: { 'out-of-order': 0, 'duplicate-timestamp': 0, 'series-limit': 0, 'out-of-bounds': 0 },
      firstError: undefined,
      newSeries: [],
      wal: { count: 0, refs: new Uint32Array(total), timestamps: new Float64Array(total), values: new Float64Array(total) },
    };
    const { timestamps, values, offsets } = batch;
    for (let s = 0; s < batch.seriesCount; s++) {
      const start = offsets[s];
      const end = offsets[s + 1];
      if (start === end) continue;
      const key = batch.keyOf(s);
      let series = this.series.get(key);
      if (!series) {
        const labels = batch.labelsOf(s);
        if (limits.maxSeries > 0 && this.series.size >= limits.maxSeries) {
          out.rejected['series-limit'] += end - start;
          out.firstError ??= `per-user series limit of ${limits.maxSeries} exceeded for series ${formatLabels(labels)}`;
          continue;
        }
        series = this.create(this.refs.next(), key, labels);
        out.newSeries.push(series);
      }
      const labels = series.labels;
      for (let i = start; i < end; i++) {
        const t = timestamps[i];
        const v = values[i];
        if (t < this.minValidTime) {
          out.rejected['out-of-bounds']++;
          out.firstError ??= `out of bounds sample for series ${formatLabels(labels)}: timestamp ${t} is before ${this.minValidTime}, which is already cut into a block`;
          continue;
        }
        const result = series.append(t, v);
        if (result === AppendResult.Appended) {
          const w = out.wal.count++;
          out.wal.refs[w] = series.ref;
          out.wal.timestamps[w] = t;
          out.wal.values[w] = v;
          out.appended++;
          if (t < this.minTime) this.minTime = t;
          if (t > this.maxTime) this.maxTime = t;
        } else if (result === AppendResult.Duplicate) {
          out.duplicates++;
        } else if (result === AppendResult.OutOfOrder) {
          out.rejected['out-of-order']++;
          out.firstError ??= `out of order sample for series ${formatLabels(labels)}: timestamp ${t} is before the latest sample at ${series.lastT}`;
        } else {
          out.rejected['duplicate-timestamp']++;
          out.firstError ??= `duplicate sample for timestamp ${t} with a different value for series ${formatLabels(labels)}`;
        }
      }
    }
    this.numSamples += out.appended;
    return out;
  }

  /**
   * Takes every sample before `maxt` out of the head, as the series and chunks of a block (sorted
   * later by the block writer). Series left without samples are dropped from the head (a later
   * sample makes a new series), as Prometheus's head garbage collection does. Works in slices of
   * CUT_SLICE series and yields between them, so appends wait a few milliseconds at most; samples
   * before `maxt` are refused from the start (out of bounds), so nothing slips behind the cut.
   */
  async cutBlock(maxt: number): Promise<Array<{ labels: Labels; chunks: Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> }>> {
    const out: Array<{ labels: Labels; chunks: Array<{ minTime: number; maxTime: number; bytes: Uint8Array }> }> = [];
    this.minValidTime = Math.max(this.minValidTime, maxt);
    let removed = 0;
    let done = 0;
    for (const [key, series] of this.series) {
      const chunks = series.cutBefore(maxt);
      if (chunks.length > 0) {
        out.push({ labels: series.labels, chunks });
        for (const c of chunks) this.numSamples -= c.numSamples;
      }
      if (series.numSamples === 0) {
        series.release();
        this.series.delete(key);
        this.byRef.delete(series.ref);
        removed++;
      }
      if (++done % CUT_SLICE === 0) await new Promise((r) => setImmediate(r));
    }
    if (removed > 0) this.rebuildPostings();
    this.minTime = Infinity;
    for (const s of this.series.values()) this.minTime = Math.min(this.minTime, s.minTime);
    if (this.series.size === 0) this.maxTime = -Infinity;
    return out;
  }

  private rebuildPostings(): void {
    this.postings.clear();
    const live = [...this.byRef.entries()].sort((a, b) => a[0] - b[0]);
    for (const [ref, s] of live) if (s.ref === ref) for (const l of s.labels) this.postings.add(l.name, l.value, ref);
  }

  /** Every live series with its ref (for WAL checkpoints). */
  liveSeries(): Array<{ ref: number; labels: Labels; series: MemSeries }> {
    return [...this.series.values()].map((s) => ({ ref: s.ref, labels: s.labels, series: s }));
  }

  /** Re-creates a series from the WAL under its recorded ref. */
  restoreSeries(ref: number, labels: Labels): void {
    if (this.byRef.has(ref)) return;
    const key = labelKeyOf(encodeLabels(labels));
    const existing = this.series.get(key);
    if (existing) {
      this.byRef.set(ref, existing); // a second record for the same series: alias the ref
      return;
    }
    this.create(ref, key, labels);
  }

  /** Re-appends a WAL sample; samples the head already has are skipped. */
  restoreSample(ref: number, t: number, v: number): boolean {
    const series = this.byRef.get(ref);
    if (!series || series.append(t, v) !== AppendResult.Appended) return false;
    this.numSamples++;
    if (t < this.minTime) this.minTime = t;
    if (t > this.maxTime) this.maxTime = t;
    return true;
  }

  hasRef(ref: number): boolean {
    return this.byRef.has(ref);
  }

  private create(ref: number, key: string, labels: Labels): MemSeries {
    const interned = labels.map((l) => this.intern(l));
    const series = new MemSeries(ref, interned, this.openChunks);
    this.series.set(key, series);
    this.byRef.set(ref, series);
    for (const l of interned) this.postings.add(l.name, l.value, ref);
    return series;
  }

  private intern(l: Label): Label {
    const key = l.name + '\xff' + l.value;
    let pair = this.pairs.get(key);
    if (!pair) this.pairs.set(key, (pair = { name: l.name, value: l.value }));
    return pair;
  }

  /** The series matching every matcher, sorted by labels. */
  matching(matchers: readonly Matcher[]): MemSeries[] {
    const refs = this.postings.select(matchers);
    const out: MemSeries[] = [];
    for (const ref of refs ?? this.byRef.keys()) {
      const s = this.byRef.get(ref);
      if (s && s.ref === ref && matchers.every((m) => m.matchesLabels(s.labels))) out.push(s);
    }
    return out.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  querier(mint: number, maxt: number): Querier {
    return new HeadQuerier(this, this.postings, mint, maxt);
  }
}

class HeadQuerier implements Querier {
  constructor(
    private readonly head: TenantHead,
    private readonly postings: Postings,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  async select(matchers: readonly Matcher[]): Promise<SeriesSet> {
    const { mint, maxt } = this;
    const matched = this.head.matching(matchers);
    return (async function* (): SeriesSet {
      for (const s of matched) {
        const { timestamps, values } = s.samples(mint, maxt);
        if (timestamps.length > 0) yield { labels: s.labels, timestamps, values } satisfies Series;
      }
    })();
  }

  async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
    if (!matchers || matchers.length === 0) return this.postings.names();
    const names = new Set<string>();
    for (const s of this.head.matching(matchers)) for (const l of s.labels) names.add(l.name);
    return [...names].sort();
  }

  async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
    if (!matchers || matchers.length === 0) return this.postings.values(name);
    const values = new Set<string>();
    for (const s of this.head.matching(matchers)) {
      const l = s.labels.find((x) => x.name === name);
      if (l) values.add(l.value);
    }
    return [...values].sort();
  }

  async close(): Promise<void> {
    // Nothing to release: the head outlives its queriers.
  }
}
