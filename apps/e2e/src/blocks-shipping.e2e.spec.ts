import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IngesterClient } from '@myelin/ingester-client';
import { Matcher } from '@myelin/model';
import { PrefixedBucket, S3Bucket } from '@myelin/object-store';
import { RpcClient } from '@myelin/rpc';
import { BlockReader } from '@myelin/tsdb-block';
import { MyelinProcess, pushRemoteWrite, S3Server, waitFor } from '@myelin/test-services';

// Blocks from the ingester to a real S3 endpoint: flush puts the block under <tenant>/<ulid>/;
// while S3 is down a flushed block waits on local disk and /ingester/blocks says so; when S3 is
// back the shipper uploads it; queries see every sample throughout.
interface Status {
  tenants: Array<{ tenant: string; blocks: Array<{ ulid: string; shipped: boolean; samples: number }>; head: { samples: number } }>;
  allInObjectStorage: boolean;
  unshippedBlocks: number;
  unflushedSamples: number;
}

describe('cutting and shipping blocks to S3', () => {
  let s3: S3Server;
  let myelin: MyelinProcess;
  let bucket: S3Bucket;
  let ingester: IngesterClient;
  const T0 = Date.now() - 600_000;

  beforeAll(async () => {
    s3 = await S3Server.start({ bucket: 'blocks' });
    myelin = await MyelinProcess.start({
      binary: 'myelin',
      cwd: mkdtempSync(path.join(tmpdir(), 'myelin-ship-')),
      args: [
        '-auth.enabled=true',
        ...s3.myelinFlags(),
        '-blocks-storage.tsdb.ship-interval=1s',
        '-blocks-storage.tsdb.head-compaction-interval=200ms',
      ],
    });
    bucket = new S3Bucket({ endpoint: `127.0.0.1:${s3.port}`, bucketName: 'blocks', region: 'us-east-1', accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey, insecure: true, bucketLookupType: 'path', maxAttempts: 1 });
    ingester = new IngesterClient(new RpcClient(`127.0.0.1:${myelin.rpcPort}`, 1), 5000);
  });
  afterAll(async () => {
    ingester?.close();
    bucket?.close();
    await myelin?.stop();
    await s3?.destroy();
  });

  const status = async (): Promise<Status> => (await (await fetch(`${myelin.url}/ingester/blocks?local=true`)).json()) as Status;
  const push = (from: number, n: number) =>
    pushRemoteWrite(
      `${myelin.url}/api/v1/push`,
      [{ labels: [{ name: '__name__', value: 'shipped_metric' }, { name: 'job', value: 'x' }], timestamps: Array.from({ length: n }, (_, i) => T0 + (from + i) * 1000), values: Array.from({ length: n }, (_, i) => from + i) }],
      { tenant: 'tenant-1' },
    );
  const flush = async () => (await (await fetch(`${myelin.url}/ingester/flush?wait=true`, { method: 'POST' })).json()) as { cut: Array<{ ulid: string }>; uploaded: string[]; failedUploads: number };
  const stored = async () => [...(await ingester.query('tenant-1', 0, Number.MAX_SAFE_INTEGER, [new Matcher('=', '__name__', 'shipped_metric')])).values];

  it('flushes the head into a block in the bucket under the tenant, and says so', async () => {
    expect((await push(0, 100)).status).toBe(204);
    expect(await status()).toMatchObject({ allInObjectStorage: false, unflushedSamples: 100, unshippedBlocks: 0 });

    const first = await flush();
    expect(first.cut).toHaveLength(1);
    expect(first).toMatchObject({ uploaded: [first.cut[0].ulid], failedUploads: 0 });
    const ulid = first.cut[0].ulid;
    const keys = (await bucket.list(`tenant-1/${ulid}/`)).objects.map((o) => o.key).sort();
    expect(keys).toEqual([`tenant-1/${ulid}/chunks/000001`, `tenant-1/${ulid}/index`, `tenant-1/${ulid}/meta.json`]);

    const reader = await BlockReader.open(new PrefixedBucket(new PrefixedBucket(bucket, 'tenant-1'), ulid), ulid);
    expect(reader.meta.thanos?.labels).toMatchObject({ __org_id__: 'tenant-1' });
    const [series] = await reader.select([], -Infinity, Infinity);
    expect([...series.values]).toEqual(Array.from({ length: 100 }, (_, i) => i));

    expect(await status()).toMatchObject({ allInObjectStorage: true, unflushedSamples: 0, unshippedBlocks: 0 });
    expect(await stored()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('keeps a block locally while S3 is down and ships it once S3 is back', async () => {
    await s3.stop();
    expect((await push(100, 50)).status).toBe(204);
    const second = await flush();
    expect(second.cut).toHaveLength(1);
    expect(second).toMatchObject({ uploaded: [], failedUploads: 1 });
    const during = await status();
    expect(during).toMatchObject({ allInObjectStorage: false, unshippedBlocks: 1, unflushedSamples: 0 });
    expect(during.tenants[0].blocks.find((b) => b.ulid === second.cut[0].ulid)).toMatchObject({ shipped: false, samples: 50 });
    // Nothing is lost meanwhile: the ingester still answers with every sample.
    expect(await stored()).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const html = await (await fetch(`${myelin.url}/ingester/blocks`, { headers: { accept: 'text/html' } })).text();
    expect(html).toContain('Everything in object storage: <b>no</b> (1 blocks not shipped, 0 samples not in a block)');

    await s3.start();
    await waitFor('the shipper to upload the waiting block', async () => ((await status()).allInObjectStorage ? true : undefined), 20_000);
    expect(await bucket.exists(`tenant-1/${second.cut[0].ulid}/meta.json`)).toBe(true);
    expect(await stored()).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });
});
