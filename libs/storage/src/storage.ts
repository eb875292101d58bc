import type { Labels, Matcher } from '@myelin/model';

/**
 * The storage contract every data source implements (after Prometheus's storage.Queryable): the
 * ingester head, blocks, an ingester over RPC, and the querier's merge of them. The PromQL engine
 * depends on this and nothing else.
 */
export interface Queryable {
  /** A querier over [mint, maxt] (milliseconds, inclusive). */
  querier(mint: number, maxt: number): Promise<Querier>;
}

export interface Querier {
  /** Series matching every matcher, sorted by labels, with their samples in [mint, maxt]. */
  select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet>;
  labelNames(matchers?: readonly Matcher[]): Promise<string[]>;
  labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface SelectHints {
  /** Stop after this many series (limit push-down); the caller still enforces its own limits. */
  limit?: number;
  /**
   * The caller needs the series' labels only (/api/v1/series, label lookups with matchers): a
   * source may return series without samples and skip reading them. Series still match the
   * time range.
   */
  seriesOnly?: boolean;
}

/**
 * One series and its samples, columnar: timestamps (ms) ascending, values beside them. No object
 * per sample.
 */
export interface Series {
  readonly labels: Labels;
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
  /**
   * Optional, for sources that hold samples encoded: the same samples written into `into` (grown
   * as needed) instead of new arrays, for a caller that reads one series at a time and keeps
   * nothing of it. The columns returned are valid until `into` is used again. Reading
   * `timestamps` and `values` instead still works (and keeps them).
   */
  decodeInto?(into: SampleBuffer): { timestamps: Float64Array; values: Float64Array };
}

/**
 * Columns a caller lends to Series.decodeInto, reused from series to series: a query reading
 * thousands of series then needs no arrays of its own per series (no allocation, no garbage, and
 * the samples stay in the CPU's cache between decoding and evaluating them).
 */
export class SampleBuffer {
  timestamps = new Float64Array(0);
  values = new Float64Array(0);

  /** Makes room for n samples (contents are not kept). */
  reserve(n: number): void {
    if (this.timestamps.length >= n) return;
    const size = Math.max(n, this.timestamps.length * 2, 1024);
    this.timestamps = new Float64Array(size);
    this.values = new Float64Array(size);
  }
}

export type SeriesSet = AsyncIterable<Series>;

/** Collects a SeriesSet into an array (tests, small results). */
export async function collectSeries(set: SeriesSet): Promise<Series[]> {
  const out: Series[] = [];
  for await (const s of set) out.push(s);
  return out;
}

/** A SeriesSet over an array already in memory. */
export async function* seriesSetOf(series: readonly Series[]): SeriesSet {
  yield* series;
}
