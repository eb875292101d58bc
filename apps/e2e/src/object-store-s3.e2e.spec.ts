import { Readable } from 'node:stream';
import { S3Bucket } from '@myelin/object-store';
import { runBucketContract } from '@myelin/object-store/testing';
import { S3Server } from '@myelin/test-services';

// The S3 backend against a real S3 endpoint (s3rver on a free port): the same contract as the
// filesystem and memory buckets, multipart uploads, and an outage that fails cleanly.
let s3: S3Server;
let bucket: S3Bucket;
const make = async () => {
  s3 ??= await S3Server.start({ bucket: 'blocks' });
  bucket ??= new S3Bucket({
    endpoint: `127.0.0.1:${s3.port}`,
    bucketName: 'blocks',
    region: 'us-east-1',
    accessKeyId: S3Server.accessKeyId,
    secretAccessKey: S3Server.secretAccessKey,
    insecure: true,
    bucketLookupType: 'auto',
    maxAttempts: 2,
    partSize: 5 << 20,
  });
  return bucket;
};

runBucketContract('s3 (s3rver)', make);

describe('S3Bucket', () => {
  beforeAll(make);
  afterAll(async () => {
    bucket?.close();
    await s3?.destroy();
  });

  it('uploads a large stream in parts and reads it back intact', async () => {
    const chunk = Buffer.from(Array.from({ length: 1 << 20 }, (_, i) => (i * 31) & 0xff));
    const chunks = Array.from({ length: 12 }, (_, i) => Buffer.from(chunk.map((b) => b ^ i)));
    await bucket.putStream('t/big/chunks/000001', Readable.from(chunks));
    const back = await bucket.get('t/big/chunks/000001');
    expect(back.length).toBe(12 << 20);
    expect(back.equals(Buffer.concat(chunks))).toBe(true);
    expect((await bucket.getRange('t/big/chunks/000001', (5 << 20) - 2, 4)).equals(Buffer.concat(chunks).subarray((5 << 20) - 2, (5 << 20) + 2))).toBe(true);
  });

  it('fails clearly while S3 is down and works again when it is back', async () => {
    await bucket.put('t/kept', Buffer.from('kept'));
    await s3.stop();
    await expect(bucket.put('t/during-outage', Buffer.from('x'))).rejects.toThrow();
    await expect(bucket.get('t/kept')).rejects.toThrow();
    await s3.start();
    await bucket.put('t/after-outage', Buffer.from('y'));
    expect((await bucket.get('t/kept')).toString()).toBe('kept');
    expect(await bucket.exists('t/during-outage')).toBe(false);
  });
});
