import { compareLabels, labelsKey, type Matcher } from '@myelin/model';
import { type Querier, type Queryable, type SelectHints, type Series, type SeriesSet, collectSeries, seriesSetOf } from './storage';

/**
 * Two series' samples as one: timestamps ascending, one sample per timestamp (replicas hold the
 * same samples, so where both have a timestamp the first series' sample is kept).
 */
export function mergeSamples(a: Series, b: Series): { timestamps: Float64Array; values: Float64Array } {
  const ta = a.timestamps;
  const tb = b.timestamps;
  if (tb.length === 0) return { timestamps: ta, values: a.values };
  if (ta.length === 0) return { timestamps: tb, values: b.values };
  // Replicas usually hold exactly the same timestamps: then the first is the answer, no copy.
  if (ta.length === tb.length && sameTimestamps(ta, tb)) return { timestamps: ta, values: a.values };
  const timestamps = new Float64Array(ta.length + tb.length);
  const values = new Float64Array(ta.length + tb.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < ta.length || j < tb.length) {
    if (j >= tb.length || (i < ta.length && ta[i] <= tb[j])) {
      if (j < tb.length && ta[i] === tb[j]) j++;
      timestamps[n] = ta[i];
      values[n++] = a.values[i++];
    } else {
      timestamps[n] = tb[j];
      values[n++] = b.values[j++];
    }
  }
  return { timestamps: timestamps.subarray(0, n), values: values.subarray(0, n) };
}

function sameTimestamps(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Series from several sources as one set: sorted by labels, equal label sets merged (mergeSamples). */
export function mergeSeries(lists: readonly (readonly Series[])[]): Series[] {
  const byKey = new Map<string, Series>();
  for (const list of lists) {
    for (const s of list) {
      const key = labelsKey(s.labels);
      const seen = byKey.get(key);
      byKey.set(key, seen ? { labels: seen.labels, ...mergeSamples(seen, s) } : s);
    }
  }
  return [...byKey.values()].sort((x, y) => compareLabels(x.labels, y.labels));
}

/** Raised when more sources failed than a merge may lose; the answer would be incomplete. */
export class IncompleteResultError extends Error {
  override readonly name = 'IncompleteResultError';
}

export interface MergeOptions {
  /**
   * Whether the answer is still complete without the sources at these indexes (they failed).
   * By default no source may fail.
   */
  canLose?: (failed: readonly number[]) => boolean;
  /** How a source is named in errors (index by default). */
  nameOf?: (index: number) => string;
}

/**
 * The answers of calls to several sources, the failed ones left out as far as `canLose` allows;
 * beyond that an IncompleteResultError naming every failure.
 */
export async function settleSources<T>(calls: Array<Promise<T>>, options: MergeOptions = {}): Promise<T[]> {
  const canLose = options.canLose ?? ((failed) => failed.length === 0);
  const nameOf = options.nameOf ?? ((i) => `source ${i}`);
  const results = await Promise.allSettled(calls);
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
  if (failed.length > 0 && !canLose(failed)) {
    throw incompleteResult(
      failed.map((i) => ({ name: nameOf(i), reason: (results[i] as PromiseRejectedResult).reason })),
      calls.length,
    );
  }
  return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/** The error for too many failed sources out of `total`, naming each with its reason. */
export function incompleteResult(failures: ReadonlyArray<{ name: string; reason: unknown }>, total: number): IncompleteResultError {
  // One failed source that already explains itself (a nested merge) is passed on as it is.
  if (failures.length === 1 && failures[0].reason instanceof IncompleteResultError) return failures[0].reason;
  const reasons = failures.map((f) => `${f.name}: ${(f.reason as Error)?.message ?? String(f.reason)}`);
  return new IncompleteResultError(`${failures.length} of ${total} sources failed, too many for a complete answer: ${reasons.join('; ')}`);
}

/**
 * Several Queryables as one (Prometheus's merge querier): each select, label-name and
 * label-value lookup goes to every source in parallel and the answers are merged and
 * de-duplicated, so replicas and overlapping time ranges return each sample once. Failed sources
 * are tolerated as far as `canLose` allows; beyond that the call fails with every source's
 * error named, never with a silently partial answer.
 */
export function mergeQueryables(sources: readonly Queryable[], options: MergeOptions = {}): Queryable {
  const settle = <T>(calls: Array<Promise<T>>) => settleSources(calls, options);
  return {
    async querier(mint: number, maxt: number): Promise<Querier> {
      const queriers = await Promise.allSettled(sources.map((s) => s.querier(mint, maxt)));
      const each = <T>(f: (q: Querier) => Promise<T>): Array<Promise<T>> => queriers.map((q) => (q.status === 'fulfilled' ? f(q.value) : Promise.reject(q.reason)));
      return {
        async select(matchers: readonly Matcher[], hints?: SelectHints): Promise<SeriesSet> {
          const lists = await settle(each(async (q) => collectSeries(await q.select(matchers, hints))));
          return seriesSetOf(mergeSeries(lists));
        },
        async labelNames(matchers?: readonly Matcher[]): Promise<string[]> {
          return sortedUnion(await settle(each((q) => q.labelNames(matchers))));
        },
        async labelValues(name: string, matchers?: readonly Matcher[]): Promise<string[]> {
          return sortedUnion(await settle(each((q) => q.labelValues(name, matchers))));
        },
        async close(): Promise<void> {
          await Promise.allSettled(queriers.map((q) => (q.status === 'fulfilled' ? q.value.close() : undefined)));
        },
      };
    },
  };
}

/** Strings from several lists, each once, sorted (label names and values from several sources). */
export function sortedUnion(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}
