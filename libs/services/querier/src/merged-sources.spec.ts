import { type Labels, Matcher } from '@myelin/model';
import { collectSeries, IncompleteResultError, type Queryable, seriesSetOf } from '@myelin/storage';
import type { SeriesChunks } from '@myelin/tsdb-block';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { type QuerierSource, mergedSources } from './merged-sources';

const up: Labels = [
  { name: '__name__', value: 'up' },
  { name: 'job', value: 'a' },
];

/** One series' chunk of the given timestamps (value = timestamp / 1000). */
function chunk(ts: number[]) {
  const c = new XORChunk();
  for (const t of ts) c.append(t, t / 1000);
  return { minTime: ts[0], maxTime: ts[ts.length - 1], bytes: c.bytes() };
}

/** A source answering `lists` (one per replica or block); it records the ranges it is asked for. */
function source(name: string, within: QuerierSource['within'], lists: SeriesChunks[][] | Error) {
  const asked: Array<[number, number]> = [];
  const queryable: Queryable = {
    querier: async () => ({
      select: async () => seriesSetOf(lists instanceof Error ? [] : lists.flat().map((s) => ({ labels: s.labels, timestamps: new Float64Array(0), values: new Float64Array(0) }))),
      labelNames: async () => [`from_${name.replace(' ', '_')}`],
      labelValues: async () => [],
      close: async () => undefined,
    }),
  };
  const s: QuerierSource = {
    name,
    within,
    queryable,
    chunks: async (mint, maxt) => {
      asked.push([mint, maxt]);
      if (lists instanceof Error) throw lists;
      return lists;
    },
  };
  return { s, asked };
}

const all = () => [0, Infinity] as [number, number];
const upMatcher = [new Matcher('=', '__name__', 'up')];
const select = async (q: Queryable, mint: number, maxt: number) => (await collectSeries(await (await q.querier(mint, maxt)).select(upMatcher))).map((x) => [...x.timestamps]);

describe('mergedSources', () => {
  it('merges the chunks the sources share and those they do not into each sample once', async () => {
    const shared = chunk([1000, 2000, 3000]);
    const ingesters = source('ingesters', all, [[{ labels: up, chunks: [shared, chunk([4000, 5000])] }], [{ labels: up, chunks: [shared] }]]);
    const store = source('object storage', all, [[{ labels: up, chunks: [chunk([0, 1000]), shared] }]]);
    expect(await select(mergedSources([ingesters.s, store.s]), 0, 10_000)).toEqual([[0, 1000, 2000, 3000, 4000, 5000]]);
  });

  it('asks each source only for its part of the range, and none for no part', async () => {
    const ingesters = source('ingesters', (mint, maxt) => [Math.max(mint, 5000), maxt], [[{ labels: up, chunks: [chunk([5000, 6000])] }]]);
    const store = source('object storage', (mint, maxt) => [mint, Math.min(maxt, 4000)], [[{ labels: up, chunks: [chunk([1000, 4000])] }]]);
    const q = mergedSources([ingesters.s, store.s]);
    expect(await select(q, 0, 10_000)).toEqual([[1000, 4000, 5000, 6000]]);
    expect(await select(q, 7000, 8000)).toEqual([]);
    expect(ingesters.asked).toEqual([
      [5000, 10_000],
      [7000, 8000],
    ]);
    expect(store.asked).toEqual([[0, 4000]]);
  });

  it('trims to the query range the samples a source brings from beyond its part', async () => {
    const store = source('object storage', (mint, maxt) => [mint, Math.min(maxt, 2000)], [[{ labels: up, chunks: [chunk([1000, 2000, 3000, 9000])] }]]);
    expect(await select(mergedSources([store.s]), 1500, 5000)).toEqual([[2000, 3000]]);
  });

  it('fails a select when a source fails, naming it', async () => {
    const ingesters = source('ingesters', all, [[{ labels: up, chunks: [chunk([1000])] }]]);
    const store = source('object storage', all, new Error('connect ECONNREFUSED'));
    const failing = select(mergedSources([ingesters.s, store.s]), 0, 10_000);
    await expect(failing).rejects.toThrow(IncompleteResultError);
    await expect(failing).rejects.toThrow('1 of 2 sources failed, too many for a complete answer: object storage: connect ECONNREFUSED');
  });

  it('answers series-only selects and label names from the sources as Queryables, asking for no chunks', async () => {
    const ingesters = source('ingesters', all, [[{ labels: up, chunks: [chunk([1000])] }]]);
    const store = source('object storage', all, [[{ labels: up, chunks: [chunk([1000])] }]]);
    const querier = await mergedSources([ingesters.s, store.s]).querier(0, 10_000);
    const series = await collectSeries(await querier.select(upMatcher, { seriesOnly: true }));
    expect(series.map((s) => s.labels)).toEqual([up]);
    expect(await querier.labelNames()).toEqual(['from_ingesters', 'from_object_storage']);
    expect(ingesters.asked).toEqual([]);
    expect(store.asked).toEqual([]);
  });
});
