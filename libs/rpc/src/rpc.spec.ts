import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type INestMicroservice } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { BinaryRpcServer, rpcError } from './server';
import { RpcCallError, RpcClient, RpcConnection } from './client';
import { FrameDecoder, encodeRequest } from './frame';

@Controller()
class TestHandlers {
  @MessagePattern('echo')
  echo(payload: Buffer): Buffer[] {
    return [Buffer.from('echo:'), payload];
  }

  @MessagePattern('bad')
  bad(): never {
    throw rpcError(400, 'out of order sample for series up{}');
  }

  @MessagePattern('crash')
  crash(): never {
    throw new Error('boom');
  }

  @MessagePattern('slow')
  async slow(): Promise<Buffer> {
    await new Promise((r) => setTimeout(r, 300));
    return Buffer.from('late');
  }
}

@Module({ controllers: [TestHandlers] })
class TestModule {}

describe('binary RPC over a Nest microservice', () => {
  let app: INestMicroservice;
  let port = 0;
  let client: RpcClient;

  beforeAll(async () => {
    app = await NestFactory.createMicroservice(TestModule, {
      strategy: new BinaryRpcServer({ host: '127.0.0.1', port: 0, onListening: (p) => (port = p) }),
      logger: false,
    });
    await app.listen();
    client = new RpcClient(`127.0.0.1:${port}`, 2);
  });
  afterAll(async () => {
    client.close();
    await app.close();
  });

  it('answers with the handler\'s bytes', async () => {
    expect((await client.call('echo', [Buffer.from('hi')], 1000)).toString()).toBe('echo:hi');
  });

  it('carries large payloads intact across TCP chunks', async () => {
    const big = Buffer.from(Array.from({ length: 5 << 20 }, (_, i) => (i * 7) & 0xff));
    const got = await client.call('echo', [big.subarray(0, 100), big.subarray(100)], 5000);
    expect(got.subarray(5).equals(big)).toBe(true);
  });

  it('runs many concurrent calls and matches each answer to its call', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call('echo', [Buffer.from(String(i))], 2000)));
    expect(answers.map((a) => a.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `echo:${i}`));
  });

  it.each([
    ['bad', 400, 'out of order sample for series up{}'],
    ['crash', 500, 'Internal server error'],
    ['nope', 501, 'no handler for RPC nope'],
  ])('reports %s as status %d', async (pattern, status, message) => {
    await expect(client.call(pattern, [], 1000)).rejects.toEqual(new RpcCallError(status, message));
    await expect(client.call(pattern, [], 1000)).rejects.toMatchObject({ status });
  });

  it('times out a slow call with 504 and keeps the connection usable', async () => {
    await expect(client.call('slow', [], 50)).rejects.toMatchObject({ status: 504 });
    expect((await client.call('echo', [Buffer.from('x')], 1000)).toString()).toBe('echo:x');
  });

  it('fails with 503 when nothing listens', async () => {
    const c = new RpcConnection('127.0.0.1:1');
    await expect(c.call('echo', [], 1000)).rejects.toMatchObject({ status: 503 });
  });
});

describe('FrameDecoder', () => {
  it('reassembles frames split at every byte', () => {
    const bytes = Buffer.concat([...encodeRequest(7, 'push', [Buffer.from('abc')]), ...encodeRequest(8, 'q', [])]);
    const d = new FrameDecoder();
    const got: string[] = [];
    for (let i = 0; i < bytes.length; i++) d.push(bytes.subarray(i, i + 1), (f) => got.push(`${f.id}:${f.pattern}:${f.payload.toString()}`));
    expect(got).toEqual(['7:push:abc', '8:q:']);
  });

  it('refuses an absurd frame length', () => {
    expect(() => new FrameDecoder().push(Buffer.from([0xff, 0xff, 0xff, 0xff, 0]), () => undefined)).toThrow('bad RPC frame length 4294967295');
  });
});
