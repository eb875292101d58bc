import { type Labels, Matcher } from '@myelin/model';
import { IncompleteResultError, mergeQueryables, mergeSamples, mergeSeries } from './merge';
import { collectSeries, type Queryable, type Series, seriesSetOf } from './storage';

const L = (o: Record<string, string>): Labels => Object.entries(o).map(([name, value]) => ({ name, value }));
const S = (labels: Labels, samples: Array<[number, number]>): Series => ({ labels, timestamps: Float64Array.from(samples, (s) => s[0]), values: Float64Array.from(samples, (s) => s[1]) });
const pairs = (x: { timestamps: Float64Array; values: Float64Array }) => Array.from(x.timestamps, (t, i) => [t, x.values[i]]);

describe('mergeSamples', () => {
  const a = L({ a: '1' });
  it.each<[string, Array<[number, number]>, Array<[number, number]>, number[][]]>([
    ['replicas with the same samples', [[1, 10], [2, 20]], [[1, 10], [2, 20]], [[1, 10], [2, 20]]],
    ['interleaved', [[1, 10], [3, 30]], [[2, 20], [4, 40]], [[1, 10], [2, 20], [3, 30], [4, 40]]],
    ['overlapping ranges (store and ingester)', [[1, 10], [2, 20], [3, 30]], [[3, 30], [4, 40]], [[1, 10], [2, 20], [3, 30], [4, 40]]],
    ['same timestamp, different values: the first kept', [[1, 10]], [[1, 99]], [[1, 10]]],
    ['one side empty', [], [[1, 10]], [[1, 10]]],
    ['a gap on one replica', [[1, 10], [3, 30]], [[1, 10], [2, 20], [3, 30]], [[1, 10], [2, 20], [3, 30]]],
  ])('%s', (_, x, y, want) => {
    expect(pairs(mergeSamples(S(a, x), S(a, y)))).toEqual(want);
  });
});

describe('mergeSeries', () => {
  it('sorts by labels and merges equal label sets', () => {
    const out = mergeSeries([
      [S(L({ a: '2' }), [[1, 1]]), S(L({ a: '1' }), [[1, 1]])],
      [S(L({ a: '1' }), [[2, 2]])],
    ]);
    expect(out.map((s) => [s.labels[0].value, pairs(s)])).toEqual([
      ['1', [[1, 1], [2, 2]]],
      ['2', [[1, 1]]],
    ]);
  });
});

function source(series: Series[], fail = false, names: string[] = []): Queryable {
  return {
    querier: async () => ({
      select: async (ms) => {
        if (fail) throw new Error('connection refused');
        return seriesSetOf(series.filter((s) => ms.every((m) => m.matchesLabels(s.labels))));
      },
      labelNames: async () => {
        if (fail) throw new Error('connection refused');
        return names;
      },
      labelValues: async () => [],
      close: async () => undefined,
    }),
  };
}

describe('mergeQueryables', () => {
  const up = L({ __name__: 'up', job: 'a' });
  const all = [new Matcher('=', '__name__', 'up')];

  it('merges the replicas of every source into one sample per timestamp', async () => {
    const q = await mergeQueryables([source([S(up, [[1, 1], [2, 1]])]), source([S(up, [[2, 1], [3, 1]])]), source([S(up, [[1, 1]])])]).querier(0, 10);
    expect((await collectSeries(await q.select(all))).map(pairs)).toEqual([[[1, 1], [2, 1], [3, 1]]]);
  });

  it('tolerates as many failed sources as allowed, and fails clearly beyond', async () => {
    const sources = [source([S(up, [[1, 1]])]), source([], true), source([], true)];
    const nameOf = (i: number) => `ingester-${i + 1}`;
    const lenient = await mergeQueryables(sources, { canLose: (f) => f.length <= 2, nameOf }).querier(0, 10);
    expect(await collectSeries(await lenient.select(all))).toHaveLength(1);
    const strict = await mergeQueryables(sources, { canLose: (f) => f.length <= 1, nameOf }).querier(0, 10);
    await expect(strict.select(all)).rejects.toThrow(IncompleteResultError);
    await expect(strict.select(all)).rejects.toThrow('2 of 3 sources failed, too many for a complete answer: ingester-2: connection refused; ingester-3: connection refused');
  });

  it('unions label names, sorted', async () => {
    const q = await mergeQueryables([source([], false, ['job', '__name__']), source([], false, ['instance', 'job'])]).querier(0, 10);
    expect(await q.labelNames()).toEqual(['__name__', 'instance', 'job']);
  });
});
