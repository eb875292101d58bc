import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Labels, Matcher } from '@myelin/model';
import { FilesystemBucket } from '@myelin/object-store';
import { collectSeries, IncompleteResultError } from '@myelin/storage';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { writeBlock } from '@myelin/tsdb-block';
import { BucketStore } from './bucket-store';
import { blocksFor, type BlockRef } from './discovery';

const L = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

function chunk(samples: Array<[number, number]>) {
  const c = new XORChunk();
  for (const [t, v] of samples) c.append(t, v);
  return { minTime: samples[0][0], maxTime: samples[samples.length - 1][0], bytes: c.bytes() };
}

describe('BucketStore', () => {
  let root: string;
  let now = 10_000_000;
  const up = L({ __name__: 'up', job: 'a' });
  const cpu = L({ __name__: 'cpu', job: 'b' });
  const store = (syncIntervalMs = 0) => new BucketStore(new FilesystemBucket(root), { syncIntervalMs, ignoreDeletionMarksDelayMs: 60_000, maxOpenBlocks: 2, now: () => now });
  const block = (tenant: string, ulid: string, series: Array<[Labels, Array<[number, number]>]>) =>
    writeBlock(path.join(root, tenant), series.map(([labels, samples]) => ({ labels, chunks: [chunk(samples)] })), { ulid, externalLabels: { __org_id__: tenant }, source: 'test' });
  const select = async (s: BucketStore, tenant: string, mint: number, maxt: number, matchers = [new Matcher('=', 'job', 'a')]) =>
    (await collectSeries(await (await s.queryable(tenant).querier(mint, maxt)).select(matchers))).map((x) => [x.labels.map((l) => l.value).join(','), Array.from(x.timestamps)]);

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'bucket-store-'));
    now = 10_000_000;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('merges the replicas of a block shipped by three ingesters into one sample per timestamp', async () => {
    for (const ulid of ['01HZZZZZZZZZZZZZZZZZZZZZZ1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', '01HZZZZZZZZZZZZZZZZZZZZZZ3']) await block('t1', ulid, [[up, [[1000, 1], [2000, 2]]]]);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ4', [[up, [[3000, 3]]], [cpu, [[3000, 9]]]]);
    expect(await select(store(), 't1', 0, 10_000)).toEqual([['up,a', [1000, 2000, 3000]]]);
  });

  it('reads only blocks overlapping the range, and samples inside it', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1], [2000, 2]]]]);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', [[up, [[5000, 5]]]]);
    expect(await select(store(), 't1', 1500, 4000)).toEqual([['up,a', [2000]]]);
  });

  it('keeps tenants apart', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]]]);
    expect(await select(store(), 't2', 0, 10_000)).toEqual([]);
  });

  it('sees new blocks once its view is older than the sync interval', async () => {
    const s = store(60_000);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]]]);
    expect(await select(s, 't1', 0, 10_000)).toEqual([['up,a', [1000]]]);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', [[up, [[2000, 2]]]]);
    expect(await select(s, 't1', 0, 10_000)).toEqual([['up,a', [1000]]]);
    now += 60_000;
    expect(await select(s, 't1', 0, 10_000)).toEqual([['up,a', [1000, 2000]]]);
  });

  it('ignores a block marked for deletion longer ago than the delay', async () => {
    const s = store();
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]]]);
    await new FilesystemBucket(root).put('t1/markers/01HZZZZZZZZZZZZZZZZZZZZZZ1-deletion-mark.json', Buffer.from(JSON.stringify({ id: '01HZZZZZZZZZZZZZZZZZZZZZZ1', deletion_time: now / 1000, version: 1 })));
    expect(await select(s, 't1', 0, 10_000)).toEqual([['up,a', [1000]]]);
    now += 60_000;
    expect(await select(s, 't1', 0, 10_000)).toEqual([]);
  });

  it('uses the bucket index when there is one', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]]]);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', [[up, [[2000, 2]]]]);
    const index = { version: 1, blocks: [{ block_id: '01HZZZZZZZZZZZZZZZZZZZZZZ2', min_time: 2000, max_time: 2001 }], block_deletion_marks: [], updated_at: 0 };
    await new FilesystemBucket(root).put('t1/bucket-index.json.gz', gzipSync(JSON.stringify(index)));
    expect(await select(store(), 't1', 0, 10_000)).toEqual([['up,a', [2000]]]);
  });

  it('answers a series-only select (/api/v1/series) from the index alone, no chunk read', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]], [cpu, [[1000, 1]]]]);
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', [[up, [[5000, 1]]]]);
    const fs = new FilesystemBucket(root);
    const reads: string[] = [];
    const spy = Object.assign(Object.create(fs) as FilesystemBucket, { getRange: (k: string, o: number, n: number) => (reads.push(k), fs.getRange(k, o, n)) });
    const s = new BucketStore(spy, { syncIntervalMs: 0, ignoreDeletionMarksDelayMs: 0, maxOpenBlocks: 10, now: () => now });
    const got = await collectSeries(await (await s.queryable('t1').querier(0, 2000)).select([new Matcher('=~', '__name__', '.+')], { seriesOnly: true }));
    expect(got.map((x) => [x.labels.map((l) => l.value).join(','), x.timestamps.length])).toEqual([['cpu,b', 0], ['up,a', 0]]);
    expect(reads.filter((k) => k.includes('/chunks/'))).toEqual([]);
  });

  it('answers label names and values over the overlapping blocks', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]], [cpu, [[1000, 1]]]]);
    const q = await store().queryable('t1').querier(0, 10_000);
    expect(await q.labelNames()).toEqual(['__name__', 'job']);
    expect(await q.labelValues('__name__')).toEqual(['cpu', 'up']);
    expect(await q.labelValues('__name__', [new Matcher('=', 'job', 'b')])).toEqual(['cpu']);
  });

  it('reports an unreadable block as an incomplete answer, naming it', async () => {
    await block('t1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, [[1000, 1]]]]);
    rmSync(path.join(root, 't1', '01HZZZZZZZZZZZZZZZZZZZZZZ1', 'index'));
    const q = await store().queryable('t1').querier(0, 10_000);
    await expect(q.select([new Matcher('=', 'job', 'a')])).rejects.toThrow(IncompleteResultError);
    await expect(q.select([new Matcher('=', 'job', 'a')])).rejects.toThrow(/cannot read blocks in filesystem:.*01HZZZZZZZZZZZZZZZZZZZZZZ1/);
  });
});

describe('blocksFor', () => {
  const b = (ulid: string, minTime: number, maxTime: number, deletionTime?: number): BlockRef => ({ ulid, minTime, maxTime, deletionTime });
  it.each<[string, number, number, string[]]>([
    ['inside one block', 10, 20, ['A']],
    ['touching the exclusive max', 100, 150, ['B']],
    ['spanning both', 0, 150, ['A', 'B']],
    ['before everything', -50, -1, []],
  ])('%s', (_, mint, maxt, want) => {
    expect(blocksFor([b('A', 0, 100), b('B', 100, 200)], mint, maxt, 0, 1000).map((x) => x.ulid)).toEqual(want);
  });

  it('keeps a marked block during the delay and drops it after', () => {
    expect(blocksFor([b('A', 0, 100, 5_000)], 0, 50, 5_999, 1_000)).toHaveLength(1);
    expect(blocksFor([b('A', 0, 100, 5_000)], 0, 50, 6_000, 1_000)).toHaveLength(0);
  });
});
