import { labelsKey, type Matcher } from '@myelin/model';
import { collectSeries, type Queryable, type SelectHints, seriesSetOf } from '@myelin/storage';

/** A per-tenant query limit was hit: the answer is an execution error naming the limit. */
export class QueryLimitError extends Error {
  override readonly name = 'QueryLimitError';
}

/**
 * The Queryable one query reads, failing once its selectors have fetched more distinct series
 * than `maxSeries` (Cortex's max_fetched_series_per_query; 0: no limit).
 */
export function limitSeries(queryable: Queryable, maxSeries: number): Queryable {
  if (maxSeries <= 0) return queryable;
  const seen = new Set<string>();
  return {
    async querier(mint, maxt) {
      const q = await queryable.querier(mint, maxt);
      return {
        async select(matchers: readonly Matcher[], hints?: SelectHints) {
          const series = await collectSeries(await q.select(matchers, hints));
          for (const s of series) seen.add(labelsKey(s.labels));
          if (seen.size > maxSeries) throw new QueryLimitError(`the query hit the max number of series limit (limit: ${maxSeries} series)`);
          return seriesSetOf(series);
        },
        labelNames: (m) => q.labelNames(m),
        labelValues: (n, m) => q.labelValues(n, m),
        close: () => q.close(),
      };
    },
  };
}
