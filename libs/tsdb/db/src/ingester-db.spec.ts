import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeLabels, labelKeyOf, type Labels, Matcher } from '@myelin/model';
import { collectSeries } from '@myelin/storage';
import type { AppendBatch } from '@myelin/tsdb-head';
import { IngesterDB } from './ingester-db';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const HOUR = 3_600_000;
const up = (i: number): Labels => [
  { name: '__name__', value: 'up' },
  { name: 'instance', value: `h${i}` },
];

function batch(series: Labels[], t: number[], v: (s: number, k: number) => number): AppendBatch {
  const offsets = new Int32Array(series.length + 1);
  const ts: number[] = [];
  const vs: number[] = [];
  series.forEach((_, s) => {
    t.forEach((x, k) => {
      ts.push(x);
      vs.push(v(s, k));
    });
    offsets[s + 1] = ts.length;
  });
  return { seriesCount: series.length, keyOf: (i) => labelKeyOf(encodeLabels(series[i])), labelsOf: (i) => series[i], offsets, timestamps: Float64Array.from(ts), values: Float64Array.from(vs) };
}

async function open(dir: string, clock = { t: 10 * HOUR, now() { return this.t; } }, idle = 0) {
  return IngesterDB.open({ dir, walSegmentSize: 1 << 20, walFsync: true, blockRangeMs: 2 * HOUR, idleTimeoutMs: idle, ingesterId: 'ing-1', logger: quiet, clock });
}

async function all(db: IngesterDB, tenant = 't') {
  const q = await db.queryable(tenant).querier(-Infinity, Infinity);
  return (await collectSeries(await q.select([new Matcher('=', '__name__', 'up')]))).map((s) => ({ i: s.labels[1].value, t: [...s.timestamps], v: [...s.values] }));
}

describe('IngesterDB', () => {
  it('flushes the head into a local block and answers queries from both, without duplicates', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const db = await open(dir);
    await db.append('t', batch([up(1), up(2)], [1000, 2000], (s, k) => s * 10 + k), { maxSeries: 0 });
    const [block] = await db.flush();
    expect(block.meta).toMatchObject({ minTime: 1000, maxTime: 2001, stats: { numSeries: 2, numSamples: 4 }, thanos: { labels: { __org_id__: 't', __ingester_id__: 'ing-1' } } });
    expect(readdirSync(path.join(dir, 't'))).toEqual([block.ulid]);
    await db.append('t', batch([up(1)], [3000], () => 7), { maxSeries: 0 });
    expect(await all(db)).toEqual([
      { i: 'h1', t: [1000, 2000, 3000], v: [0, 1, 7] },
      { i: 'h2', t: [1000, 2000], v: [10, 11] },
    ]);
    await db.close();
  });

  it('after a restart has the blocks and, from the WAL checkpoint, only what the head still held', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const db = await open(dir);
    await db.append('t', batch([up(1)], [1000, 2000], () => 1), { maxSeries: 0 });
    await db.flush();
    await db.append('t', batch([up(1)], [3000], () => 2), { maxSeries: 0 });
    await db.close();

    const again = await open(dir);
    expect(again.localBlocks('t')).toHaveLength(1);
    expect(again.head.tenant('t').numSamples).toBe(1);
    expect(await all(again)).toEqual([{ i: 'h1', t: [1000, 2000, 3000], v: [1, 1, 2] }]);
    // The block's time range stays closed to new samples.
    const out = await again.append('t', batch([up(9)], [1500], () => 1), { maxSeries: 0 });
    expect(out.rejected['out-of-bounds']).toBe(1);
    await again.close();
  });

  it('checkpoints a head of many series in slices, and replays all of it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const db = await open(dir);
    const many = Array.from({ length: 2500 }, (_, i) => up(i));
    await db.append('t', batch(many, [1000], (s) => s), { maxSeries: 0 });
    await db.flush();
    await db.append('t', batch(many, [2000, 3000], (s, k) => s + k), { maxSeries: 0 });
    await db.append('t', batch([up(0)], [4000], () => 9), { maxSeries: 0 });
    await db.flush(['other-tenant']); // nothing to cut there: no checkpoint
    await (db as unknown as { checkpoint(): Promise<void> }).checkpoint();
    await db.close();
    const again = await open(dir);
    expect(again.head.tenant('t').numSeries).toBe(2500);
    expect(again.head.tenant('t').numSamples).toBe(2500 * 2 + 1);
    const rows = await all(again);
    expect(rows.find((r) => r.i === 'h0')).toEqual({ i: 'h0', t: [1000, 2000, 3000, 4000], v: [0, 0, 1, 9] });
    await again.close();
  });

  it('cuts aligned 2h blocks once the head spans 1.5 ranges, keeping the newest range in memory', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const db = await open(dir);
    const ts = Array.from({ length: 8 * 60 }, (_, k) => k * 60_000); // 8 hours, one a minute
    await db.append('t', batch([up(1)], ts, (_, k) => k), { maxSeries: 0 });
    const cut = await db.compact();
    expect(cut.map((b) => [b.meta.minTime, b.meta.maxTime])).toEqual([
      [0, 2 * HOUR - 60_000 + 1],
      [2 * HOUR, 4 * HOUR - 60_000 + 1],
      [4 * HOUR, 6 * HOUR - 60_000 + 1],
    ]);
    expect(db.head.tenant('t').minTime).toBe(6 * HOUR);
    expect((await all(db))[0].t).toEqual(ts);
    await db.close();
  });

  it('cuts the whole head of a tenant that has been idle', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const clock = { t: 1000, now() { return this.t; } };
    const db = await open(dir, clock, 60_000);
    await db.append('t', batch([up(1)], [500], () => 1), { maxSeries: 0 });
    expect(await db.compact()).toEqual([]);
    clock.t += 61_000;
    expect((await db.compact()).map((b) => b.meta.stats.numSamples)).toEqual([1]);
    expect(db.head.tenant('t').numSamples).toBe(0);
    await db.close();
  });

  it('removes the blocks a predicate allows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'db-'));
    const db = await open(dir);
    await db.append('t', batch([up(1)], [1000], () => 1), { maxSeries: 0 });
    const [b] = await db.flush();
    expect((await db.removeBlocks((x) => x.ulid === b.ulid)).map((x) => x.ulid)).toEqual([b.ulid]);
    expect(readdirSync(path.join(dir, 't'))).toEqual([]);
    expect(await all(db)).toEqual([]);
    await db.close();
  });
});
