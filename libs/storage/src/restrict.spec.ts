import { olderOnly, recentOnly, restrictRange } from './restrict';
import type { Queryable } from './storage';
import { collectSeries, seriesSetOf } from './storage';

describe('the querier time split', () => {
  const now = () => 100_000;
  it.each<[string, (a: number, b: number) => [number, number], number, number, [number, number]]>([
    ['ingesters: within 10s', recentOnly(now, 10_000), 0, 100_000, [90_000, 100_000]],
    ['ingesters: no split', recentOnly(now, 0), 0, 100_000, [0, 100_000]],
    ['store: after 30s', olderOnly(now, 30_000), 0, 100_000, [0, 70_000]],
    ['store: no split', olderOnly(now, 0), 0, 100_000, [0, 100_000]],
    ['ingesters: range older than within', recentOnly(now, 10_000), 0, 50_000, [90_000, 50_000]],
  ])('%s', (_, f, mint, maxt, want) => {
    expect(f(mint, maxt)).toEqual(want);
  });

  it('asks the source for its part only, and nothing when the part is empty', async () => {
    const asked: Array<[number, number]> = [];
    const source: Queryable = {
      querier: async (mint, maxt) => {
        asked.push([mint, maxt]);
        return { select: async () => seriesSetOf([{ labels: [], timestamps: Float64Array.of(1), values: Float64Array.of(1) }]), labelNames: async () => ['x'], labelValues: async () => [], close: async () => undefined };
      },
    };
    const recent = restrictRange(source, recentOnly(now, 10_000));
    expect(await collectSeries(await (await recent.querier(0, 100_000)).select([]))).toHaveLength(1);
    expect(await collectSeries(await (await recent.querier(0, 50_000)).select([]))).toHaveLength(0);
    expect(await (await recent.querier(0, 50_000)).labelNames()).toEqual([]);
    expect(asked).toEqual([[90_000, 100_000]]);
  });
});
