import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BucketStore, listBlocks } from '@myelin/bucket-store';
import { type Labels, Matcher } from '@myelin/model';
import { FilesystemBucket, PrefixedBucket } from '@myelin/object-store';
import { collectSeries } from '@myelin/storage';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { BlockReader, writeBlock } from '@myelin/tsdb-block';
import { compactAll } from './compact';

const up: Labels = [
  { name: '__name__', value: 'up' },
  { name: 'job', value: 'a' },
];
const cpu: Labels = [
  { name: '__name__', value: 'cpu' },
  { name: 'job', value: 'a' },
];

function chunks(samples: Array<[number, number]>) {
  const out = [];
  for (let i = 0; i < samples.length; i += 120) {
    const c = new XORChunk();
    for (const [t, v] of samples.slice(i, i + 120)) c.append(t, v);
    out.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() });
  }
  return out;
}

describe('compactAll', () => {
  let root: string;
  let work: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'compactor-bucket-'));
    work = mkdtempSync(path.join(tmpdir(), 'compactor-work-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const full = Array.from({ length: 300 }, (_, i): [number, number] => [i * 15_000, i]);
  const write = (ulid: string, series: Array<[Labels, Array<[number, number]>]>) =>
    writeBlock(path.join(root, 't1'), series.map(([labels, s]) => ({ labels, chunks: chunks(s) })), { ulid, externalLabels: { __org_id__: 't1', __ingester_id__: ulid }, source: 'receive' });

  it('merges the replicas of a range into one block, every sample once, and marks them for deletion', async () => {
    await write('01HZZZZZZZZZZZZZZZZZZZZZZ1', [[up, full], [cpu, full]]);
    await write('01HZZZZZZZZZZZZZZZZZZZZZZ2', [[up, full], [cpu, full]]);
    // This replica missed two samples of `up`.
    await write('01HZZZZZZZZZZZZZZZZZZZZZZ3', [[up, full.filter((_, i) => i !== 10 && i !== 200)], [cpu, full]]);
    await write('01HZZZZZZZZZZZZZZZZZZZZZZ4', [[up, [[10_000_000, 1]]]]); // later, overlapping nothing
    const bucket = new FilesystemBucket(root);

    const done = await compactAll(bucket, work, () => 50_000_000);
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ tenant: 't1', sources: ['01HZZZZZZZZZZZZZZZZZZZZZZ1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', '01HZZZZZZZZZZZZZZZZZZZZZZ3'], series: 2, samples: 600 });

    const reader = await BlockReader.open(new PrefixedBucket(new PrefixedBucket(bucket, 't1'), done[0].ulid), done[0].ulid);
    expect(reader.meta.compaction).toEqual({ level: 2, sources: ['01HZZZZZZZZZZZZZZZZZZZZZZ1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', '01HZZZZZZZZZZZZZZZZZZZZZZ3'] });
    expect(reader.meta.thanos?.labels).toEqual({ __org_id__: 't1' });
    const [got] = await reader.select([new Matcher('=', '__name__', 'up')], -Infinity, Infinity);
    expect([...got.timestamps]).toEqual(full.map((s) => s[0]));

    const blocks = await listBlocks(new PrefixedBucket(bucket, 't1'), new Map());
    expect(blocks.filter((b) => b.deletionTime !== undefined).map((b) => b.ulid).sort()).toEqual(done[0].sources);
    // A second pass finds nothing left to merge.
    expect(await compactAll(bucket, work, () => 50_000_000)).toEqual([]);

    // Queriers past the marks' delay read the merged block alone, with the same answer.
    const store = new BucketStore(bucket, { syncIntervalMs: 0, ignoreDeletionMarksDelayMs: 0, maxOpenBlocks: 10, now: () => 60_000_000 });
    const q = await store.queryable('t1').querier(-Infinity, Infinity);
    const series = await collectSeries(await q.select([new Matcher('=', 'job', 'a')]));
    expect(series.map((s) => [s.labels[0].value, s.timestamps.length])).toEqual([['cpu', 300], ['up', 301]]);
  });
});
