import { type Queryable, seriesSetOf } from './storage';

/** A Queryable that has nothing, for time ranges a source does not serve. */
export const EMPTY_QUERYABLE: Queryable = {
  querier: async () => ({
    select: async () => seriesSetOf([]),
    labelNames: async () => [],
    labelValues: async () => [],
    close: async () => undefined,
  }),
};

/**
 * A source asked only for part of each range (the querier's time split): `within` maps the
 * asked [mint, maxt] to the part this source serves, or undefined when it serves none of it.
 */
export function restrictRange(queryable: Queryable, within: (mint: number, maxt: number) => [number, number] | undefined): Queryable {
  return {
    querier(mint, maxt) {
      const range = within(mint, maxt);
      return range && range[0] <= range[1] ? queryable.querier(range[0], range[1]) : EMPTY_QUERYABLE.querier(mint, maxt);
    },
  };
}

/** Ingesters: only data newer than `now - withinMs` ([max(mint, now - within), maxt]); 0 for no split. */
export const recentOnly = (now: () => number, withinMs: number) => (mint: number, maxt: number): [number, number] => [withinMs > 0 ? Math.max(mint, now() - withinMs) : mint, maxt];

/** Object storage: only data older than `now - afterMs` ([mint, min(maxt, now - after)]); 0 for no split. */
export const olderOnly = (now: () => number, afterMs: number) => (mint: number, maxt: number): [number, number] => [mint, afterMs > 0 ? Math.min(maxt, now() - afterMs) : maxt];
