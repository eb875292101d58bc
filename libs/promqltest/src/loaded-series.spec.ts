import { Matcher } from '@myelin/model';
import { isStaleNaN, NotImplementedError } from '@myelin/promql';
import { collectSeries } from '@myelin/storage';
import { LoadedSeries } from './loaded-series';
import { parseScript, type LoadCommand } from './script';

function loads(text: string): LoadCommand[] {
  return parseScript(text).filter((c): c is LoadCommand => c.type === 'load');
}

async function select(data: LoadedSeries, mint: number, maxt: number, name = 'm') {
  const q = await data.querier(mint, maxt);
  return collectSeries(await q.select([new Matcher('=', '__name__', name)]));
}

describe('LoadedSeries', () => {
  it('puts sample i at i × interval, skips `_`, and keeps the staleness marker bits', async () => {
    const data = new LoadedSeries();
    loads('load 10s\n  m{a="1"} 1 _ stale 4\n').forEach((c) => data.load(c));
    const [s] = await select(data, 0, 60_000);
    expect([...s.timestamps]).toEqual([0, 20_000, 30_000]);
    expect(s.values[0]).toBe(1);
    expect(isStaleNaN(s.values[1])).toBe(true);
    expect(s.values[2]).toBe(4);
  });

  it('returns only samples inside [mint, maxt]', async () => {
    const data = new LoadedSeries();
    loads('load 10s\n  m 0+1x5\n').forEach((c) => data.load(c));
    const [s] = await select(data, 10_000, 30_000);
    expect([...s.timestamps]).toEqual([10_000, 20_000, 30_000]);
    expect([...s.values]).toEqual([1, 2, 3]);
  });

  it('merges a series loaded twice, the later load winning at the same timestamp', async () => {
    const data = new LoadedSeries();
    loads('load 10s\n  m 1 1\nload 20s\n  m 5 _ 7\n').forEach((c) => data.load(c));
    const [s] = await select(data, 0, 60_000);
    expect([...s.timestamps]).toEqual([0, 10_000, 40_000]);
    expect([...s.values]).toEqual([5, 1, 7]);
  });

  it('refuses to select native-histogram series, loaded or derived by load_with_nhcb', async () => {
    const data = new LoadedSeries();
    loads('load 1m\n  h {{schema:0 count:1 sum:1}}\n  m 1\n').forEach((c) => data.load(c));
    await expect(select(data, 0, 60_000, 'h')).rejects.toThrow(NotImplementedError);
    expect(await select(data, 0, 60_000, 'm')).toHaveLength(1);
    data.clear();
    loads('load_with_nhcb 1m\n  x_bucket{le="1"} 1\n  x_bucket{le="+Inf"} 2\n').forEach((c) => data.load(c));
    await expect(select(data, 0, 60_000, 'x')).rejects.toThrow('native histograms are not evaluated yet');
    expect(await select(data, 0, 60_000, 'x_bucket')).toHaveLength(2);
  });

  it('forgets everything on clear', async () => {
    const data = new LoadedSeries();
    loads('load 10s\n  m 1\n').forEach((c) => data.load(c));
    data.clear();
    expect(await select(data, 0, 60_000)).toEqual([]);
  });
});
