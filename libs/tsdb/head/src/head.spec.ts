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
    expect(out.rejected).toEqual({ 'out-of-order': 1, 'duplicate-timestamp': 1, 'series-limit': 0, 'out-of-bounds': 0 });
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

describe('cutting a block out of the head', () => {
  it('moves every sample before maxt into block chunks, splitting the straddling chunk, and keeps the rest', async () => {
    const head = new Head();
    const t = head.tenant('t');
    const many: Array<[number, number]> = Array.from({ length: 300 }, (_, i) => [i * 1000, i]);
    t.append(batch([[up1, many], [up2, [[100_000, 1]]], [cpu, [[5_000, 1], [250_000, 2]]]]), noLimit);
    const block = await t.cutBlock(150_000);

    const byName = new Map(block.map((s) => [JSON.stringify(s.labels), s]));
    const upChunks = byName.get(JSON.stringify(up1))!.chunks;
    // 0..149 s: chunk 1 (0-119 s) whole, and the first 30 samples of chunk 2.
    expect(upChunks.map((c) => [c.minTime, c.maxTime])).toEqual([
      [0, 119_000],
      [120_000, 149_000],
    ]);
    expect(byName.get(JSON.stringify(up2))!.chunks).toHaveLength(1);
    expect(byName.get(JSON.stringify(cpu))!.chunks.map((c) => [c.minTime, c.maxTime])).toEqual([[5_000, 5_000]]);

    // What stays: up1 from 150 s, cpu at 250 s; up2 is gone from the head.
    const rest = await select(head, 't', []);
    expect(rest.map((s) => [s.labels.find((l) => l.name === 'instance')?.value, s.labels[0].value, s.t[0], s.t.length])).toEqual([
      ['a', 'cpu', 250_000, 1],
      ['a', 'up', 150_000, 150],
    ]);
    expect(t.numSeries).toBe(2);
    expect(t.numSamples).toBe(151);
    expect(t.minTime).toBe(150_000);
    expect(await (await head.queryable('t').querier(0, Infinity)).labelValues('instance')).toEqual(['a']);
  });

  it('gives the open chunks of series that left the head to new series without mixing samples', async () => {
    const head = new Head();
    const t = head.tenant('t');
    const old = Array.from({ length: 50 }, (_, i) => L({ __name__: 'old', i: String(i) }));
    t.append(batch(old.map((l, i) => [l, Array.from({ length: 100 }, (_, k): [number, number] => [k * 1000, i * 1e6 + Math.sin(k)])])), noLimit);
    await t.cutBlock(200_000); // every old series leaves the head
    const fresh = Array.from({ length: 60 }, (_, i) => L({ __name__: 'new', i: String(i) }));
    t.append(batch(fresh.map((l, i) => [l, [[300_000, i], [315_000, -i]]])), noLimit);
    const rows = await select(head, 't', []);
    expect(rows).toHaveLength(60);
    for (const r of rows) {
      const i = Number(r.labels.find((l) => l.name === 'i')!.value);
      expect([r.t, r.v]).toEqual([
        [300_000, 315_000],
        [i, -i],
      ]);
    }
  });

  it('refuses samples in a time range already cut into a block (out of bounds)', async () => {
    const t = new Head().tenant('t');
    t.append(batch([[up1, [[1000, 1]]]]), noLimit);
    await t.cutBlock(500); // nothing before 500
    await t.cutBlock(2000); // everything
    expect(t.numSeries).toBe(0);
    const out = t.append(batch([[up1, [[900, 1], [2500, 1]]]]), noLimit);
    expect(out.appended).toBe(1);
    expect(out.firstError).toBe('out of bounds sample for series up{instance="a", job="node"}: timestamp 900 is before 2000, which is already cut into a block');
  });
});

describe('cutting while appending', () => {
  it('yields to appends while it cuts many series, and loses none of them', async () => {
    const head = new Head();
    const t = head.tenant('t');
    const many = Array.from({ length: 2000 }, (_, i) => L({ __name__: 'm', i: String(i) }));
    t.append(batch(many.map((l) => [l, [[1000, 1], [5000, 2]]])), noLimit);
    let appendedDuring = 0;
    const cutting = t.cutBlock(3000);
    // Appends run between the cut's slices.
    for (let k = 0; k < 5; k++) {
      await new Promise((r) => setImmediate(r));
      appendedDuring += t.append(batch([[many[k], [[6000 + k, 3]]]]), noLimit).appended;
    }
    const block = await cutting;
    expect(appendedDuring).toBe(5);
    expect(block).toHaveLength(2000);
    expect(block.every((s) => s.chunks.length === 1 && s.chunks[0].maxTime === 1000)).toBe(true);
    const rest = await select(head, 't', []);
    expect(rest.reduce((n, s) => n + s.t.length, 0)).toBe(2000 + 5);
  });
});
