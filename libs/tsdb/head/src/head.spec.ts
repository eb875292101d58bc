import { encodeLabels, labelKeyOf, type Labels, Matcher } from '@myelin/model';
import { collectSeries } from '@myelin/storage';
import { Head } from './head';
import type { AppendBatch } from './tenant-head';

const L = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

function batch(items: Array<[Labels, Array<[number, number]>]>): AppendBatch {
  const offsets = new Int32Array(items.length + 1);
  const ts: number[] = [];
  const vs: number[] = [];
  items.forEach(([, samples], i) => {
    for (const [t, v] of samples) {
      ts.push(t);
      vs.push(v);
    }
    offsets[i + 1] = ts.length;
  });
  return { seriesCount: items.length, keyOf: (i) => labelKeyOf(encodeLabels(items[i][0])), labelsOf: (i) => items[i][0], offsets, timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

const up1 = L({ __name__: 'up', job: 'node', instance: 'a' });
const up2 = L({ __name__: 'up', job: 'node', instance: 'b' });
const cpu = L({ __name__: 'cpu', job: 'api', instance: 'a' });
const noLimit = { maxSeries: 0 };

async function select(head: Head, tenant: string, matchers: Matcher[], mint = -Infinity, maxt = Infinity) {
  const q = await head.queryable(tenant).querier(mint, maxt);
  return (await collectSeries(await q.select(matchers))).map((s) => ({ labels: s.labels, t: [...s.timestamps], v: [...s.values] }));
}

describe('Head', () => {
  it('stores samples per series and answers selections sorted by labels', async () => {
    const head = new Head();
    const out = head.tenant('t1').append(batch([[up2, [[10, 1], [20, 2]]], [up1, [[10, 5]]], [cpu, [[15, 0.5]]]]), noLimit);
    expect(out).toMatchObject({ appended: 4, duplicates: 0, firstError: undefined });
    expect(out.newSeries.map((s) => s.ref)).toEqual([1, 2, 3]);
    expect(await select(head, 't1', [new Matcher('=', '__name__', 'up')])).toEqual([
      { labels: up1, t: [10], v: [5] },
      { labels: up2, t: [10, 20], v: [1, 2] },
    ]);
  });

  it('keeps tenants apart', async () => {
    const head = new Head();
    head.tenant('t1').append(batch([[up1, [[1, 1]]]]), noLimit);
    expect(await select(head, 't2', [new Matcher('=', '__name__', 'up')])).toEqual([]);
  });

  it.each([
    ['=', 'job', 'node', ['a', 'b']],
    ['!=', 'job', 'node', ['a']],
    ['=~', 'instance', 'a|c', ['a', 'a']],
    ['!~', '__name__', 'up', ['a']],
    ['=', 'missing', '', ['a', 'a', 'b']],
    ['=~', 'job', 'no.*', ['a', 'b']],
  ] as const)('selects with %s %s %j', async (type, name, value, instances) => {
    const head = new Head();
    head.tenant('t').append(batch([[up1, [[1, 1]]], [up2, [[1, 1]]], [cpu, [[1, 1]]]]), noLimit);
    const got = await select(head, 't', [new Matcher(type, name, value)]);
    expect(got.map((s) => s.labels.find((l) => l.name === 'instance')!.value)).toEqual(instances);
  });

  it('refuses out-of-order samples and a new value at the same timestamp, naming the series', () => {
    const head = new Head().tenant('t');
    head.append(batch([[up1, [[100, 1]]]]), noLimit);
    const out = head.append(batch([[up1, [[50, 1], [100, 2], [100, 1], [150, 3]]]]), noLimit);
    expect(out.appended).toBe(1);
    expect(out.duplicates).toBe(1);
    expect(out.rejected).toEqual({ 'out-of-order': 1, 'duplicate-timestamp': 1, 'series-limit': 0 });
    expect(out.firstError).toBe('out of order sample for series up{instance="a", job="node"}: timestamp 50 is before the latest sample at 100');
  });

  it('says which rule a duplicate timestamp broke', () => {
    const head = new Head().tenant('t');
    head.append(batch([[up1, [[100, 1]]]]), noLimit);
    expect(head.append(batch([[up1, [[100, 7]]]]), noLimit).firstError).toBe(
      'duplicate sample for timestamp 100 with a different value for series up{instance="a", job="node"}',
    );
  });

  it('accepts the same sample twice without error or double storage (retries)', async () => {
    const head = new Head();
    head.tenant('t').append(batch([[up1, [[1, 1], [2, NaN]]]]), noLimit);
    const again = head.tenant('t').append(batch([[up1, [[2, NaN]]]]), noLimit);
    expect(again).toMatchObject({ appended: 0, duplicates: 1, firstError: undefined });
    expect((await select(head, 't', []))[0].t).toEqual([1, 2]);
  });

  it('enforces the per-tenant series limit on new series only', () => {
    const head = new Head().tenant('t');
    head.append(batch([[up1, [[1, 1]]]]), { maxSeries: 1 });
    const out = head.append(batch([[up1, [[2, 1]]], [up2, [[2, 1], [3, 1]]]]), { maxSeries: 1 });
    expect(out.appended).toBe(1);
    expect(out.rejected['series-limit']).toBe(2);
    expect(out.firstError).toBe('per-user series limit of 1 exceeded for series up{instance="b", job="node"}');
    expect(head.numSeries).toBe(1);
  });

  it('returns only samples in [mint, maxt] across many chunks', async () => {
    const head = new Head();
    const samples: Array<[number, number]> = Array.from({ length: 1000 }, (_, i) => [i * 1000, i]);
    head.tenant('t').append(batch([[up1, samples]]), noLimit);
    const [s] = await select(head, 't', [], 250_500, 480_000);
    expect(s.t[0]).toBe(251_000);
    expect(s.t.at(-1)).toBe(480_000);
    expect(s.t).toHaveLength(230);
    expect(s.v[0]).toBe(251);
  });

  it('hands the WAL exactly what it stored', () => {
    const head = new Head().tenant('t');
    const out = head.append(batch([[up1, [[5, 1], [4, 9], [6, 2]]]]), noLimit);
    expect(out.wal.count).toBe(2);
    expect([...out.wal.refs.subarray(0, 2)]).toEqual([1, 1]);
    expect([...out.wal.timestamps.subarray(0, 2)]).toEqual([5, 6]);
  });

  it('lists label names and values, optionally under matchers', async () => {
    const head = new Head();
    head.tenant('t').append(batch([[up1, [[1, 1]]], [cpu, [[1, 1]]]]), noLimit);
    const q = await head.queryable('t').querier(0, 10);
    expect(await q.labelNames()).toEqual(['__name__', 'instance', 'job']);
    expect(await q.labelValues('job')).toEqual(['api', 'node']);
    expect(await q.labelValues('job', [new Matcher('=', '__name__', 'cpu')])).toEqual(['api']);
  });

  it('restores series and samples from WAL records, skipping what it has', async () => {
    const head = new Head();
    const t = head.tenant('t');
    t.restoreSeries(7, up1);
    expect(t.restoreSample(7, 10, 1)).toBe(true);
    expect(t.restoreSample(7, 10, 1)).toBe(false);
    expect(t.restoreSample(99, 10, 1)).toBe(false);
    head.reserveRefsUpTo(7);
    expect(t.append(batch([[up2, [[1, 1]]]]), noLimit).newSeries[0].ref).toBe(8);
    expect((await select(head, 't', [new Matcher('=', 'instance', 'a')]))[0].t).toEqual([10]);
  });
});
