import { mergeQueryables, type Queryable, restrictRange, seriesSetOf, settleSources } from '@myelin/storage';
import { mergeChunkSeries } from '@myelin/tsdb-block';
import type { ChunkSelect } from './ingester-source';

/** One of the querier's sources (the ingesters, object storage). */
export interface QuerierSource {
  /** Names the source in errors. */
  readonly name: string;
  /** The part of [mint, maxt] this source serves (the querier's time split), or undefined for none. */
  within(mint: number, maxt: number): [number, number] | undefined;
  /** Its chunks for a select, one list per replica or block. */
  readonly chunks: ChunkSelect;
  /** The same data as a Queryable: label names and values, and series-only selects. */
  readonly queryable: Queryable;
}

/**
 * The querier's sources as one Queryable. A select gathers every source's chunks for its part of
 * the range and merges them all at once, still encoded (mergeChunkSeries): where the ingesters and
 * object storage overlap they hold the same chunks (ingesters ship their blocks' chunks as they
 * are; the compactor keeps identical chunks), which are then decoded once instead of decoded
 * twice and merged sample by sample. Chunks reaching past a source's part bring real samples, so
 * the answer is the union of the sources, trimmed to the query's range. Any source failing fails
 * the select, naming it.
 */
export function mergedSources(sources: readonly QuerierSource[]): Queryable {
  const options = { nameOf: (i: number) => sources[i].name };
  const labels = mergeQueryables(
    sources.map((s) => restrictRange(s.queryable, s.within)),
    options,
  );
  return {
    async querier(mint, maxt) {
      const labelQuerier = await labels.querier(mint, maxt);
      return {
        select: async (matchers, hints) => {
          if (hints?.seriesOnly) return labelQuerier.select(matchers, hints);
          const calls = sources.map((s) => {
            const range = s.within(mint, maxt);
            return range && range[0] <= range[1] ? s.chunks(range[0], range[1], matchers) : Promise.resolve([]);
          });
          const lists = (await settleSources(calls, options)).flat();
          return seriesSetOf(mergeChunkSeries(lists, mint, maxt));
        },
        labelNames: (matchers) => labelQuerier.labelNames(matchers),
        labelValues: (name, matchers) => labelQuerier.labelValues(name, matchers),
        close: () => labelQuerier.close(),
      };
    },
  };
}
