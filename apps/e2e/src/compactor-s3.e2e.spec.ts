import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { listBlocks } from '@myelin/bucket-store';
import { compactAll, tenantsIn } from '@myelin/compactor';
import { Matcher } from '@myelin/model';
import { PrefixedBucket, S3Bucket } from '@myelin/object-store';
import { S3Server } from '@myelin/test-services';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { BlockReader, writeBlock } from '@myelin/tsdb-block';

// The compactor against a real S3 endpoint: three ingesters' replica blocks of one range become
// one block; the replicas get deletion marks; the merged block holds every sample once.
describe('compactor on S3', () => {
  let s3: S3Server;
  let bucket: S3Bucket;
  beforeAll(async () => {
    s3 = await S3Server.start({ bucket: 'blocks' });
    bucket = new S3Bucket({ endpoint: `127.0.0.1:${s3.port}`, bucketName: 'blocks', region: 'us-east-1', accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey, insecure: true, bucketLookupType: 'path', maxAttempts: 1 });
  });
  afterAll(async () => {
    bucket?.close();
    await s3?.destroy();
  });

  const labels = [
    { name: '__name__', value: 'up' },
    { name: 'job', value: 'a' },
  ];
  async function ship(ulid: string, skip: number) {
    const dir = mkdtempSync(path.join(tmpdir(), 'replica-'));
    const c = new XORChunk();
    for (let i = 0; i < 100; i++) if (i !== skip) c.append(1_700_000_000_000 + i * 15_000, i);
    await writeBlock(dir, [{ labels, chunks: [{ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() }] }], { ulid, externalLabels: { __org_id__: 'team' }, source: 'receive' });
    const files = ['index', 'meta.json', ...readdirSync(path.join(dir, ulid, 'chunks')).map((f) => `chunks/${f}`)];
    for (const f of files) await bucket.put(`team/${ulid}/${f}`, readFileSync(path.join(dir, ulid, f)));
  }

  it('merges the replicas of a range into one block and marks them', async () => {
    await ship('01HZZZZZZZZZZZZZZZZZZZZZZ1', -1);
    await ship('01HZZZZZZZZZZZZZZZZZZZZZZ2', -1);
    await ship('01HZZZZZZZZZZZZZZZZZZZZZZ3', 42); // missed one sample
    expect(await tenantsIn(bucket)).toEqual(['team']);
    const [done] = await compactAll(bucket, mkdtempSync(path.join(tmpdir(), 'compactor-')), () => Date.now());
    expect(done).toMatchObject({ tenant: 'team', series: 1, samples: 100 });
    const reader = await BlockReader.open(new PrefixedBucket(new PrefixedBucket(bucket, 'team'), done.ulid), done.ulid);
    const [s] = await reader.select([new Matcher('=', '__name__', 'up')], -Infinity, Infinity);
    expect([...s.values]).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const blocks = await listBlocks(new PrefixedBucket(bucket, 'team'), new Map());
    expect(blocks.filter((b) => b.deletionTime !== undefined).map((b) => b.ulid).sort()).toEqual(['01HZZZZZZZZZZZZZZZZZZZZZZ1', '01HZZZZZZZZZZZZZZZZZZZZZZ2', '01HZZZZZZZZZZZZZZZZZZZZZZ3']);
  }, 30_000);
});
