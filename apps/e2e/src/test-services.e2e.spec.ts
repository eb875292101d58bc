import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createConnection } from 'node:net';
import { RedisServer, redisPing, S3Server } from '@myelin/test-services';

/** Sends one inline Redis command and returns the first reply line. */
function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write(`${command}\r\n`));
    socket.on('data', (d) => {
      socket.destroy();
      resolve(d.toString().split('\r\n')[0]);
    });
    socket.on('error', reject);
  });
}

describe('RedisServer (real redis-server)', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(() => redis.stop());

  it('answers on 127.0.0.1 at its port', async () => {
    expect(await redisCommand(redis.port, 'SET k v')).toBe('+OK');
    expect(await redisCommand(redis.port, 'GET k')).toBe('$1');
  });

  it('stops and starts again on the same port, empty (no persistence)', async () => {
    await redis.stop();
    expect(await redisPing(redis.port)).toBe(false);
    await redis.start();
    expect(await redisPing(redis.port)).toBe(true);
    expect(await redisCommand(redis.port, 'GET k')).toBe('$-1');
  });
});

describe('S3Server (real s3rver)', () => {
  let s3: S3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await S3Server.start({ bucket: 'test-bucket' });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: S3Server.region,
      forcePathStyle: true,
      credentials: { accessKeyId: S3Server.accessKeyId, secretAccessKey: S3Server.secretAccessKey },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  });
  afterAll(async () => {
    client.destroy();
    await s3.destroy();
  });

  it('stores and returns objects byte for byte', async () => {
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    await client.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'tenant/block/index', Body: body }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'test-bucket', Key: 'tenant/block/index' }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('keeps its data across a stop and start (outage tests)', async () => {
    await client.send(new PutObjectCommand({ Bucket: 'test-bucket', Key: 'kept', Body: 'still here' }));
    await s3.stop();
    await expect(client.send(new GetObjectCommand({ Bucket: 'test-bucket', Key: 'kept' }))).rejects.toThrow();
    await s3.start();
    const got = await client.send(new GetObjectCommand({ Bucket: 'test-bucket', Key: 'kept' }));
    expect(await got.Body!.transformToString()).toBe('still here');
  });
});
