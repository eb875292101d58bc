import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IngesterClient } from '@myelin/ingester-client';
import { Matcher } from '@myelin/model';
import { encodeWriteRequestV1, ProtoWriter, snappyEncode } from '@myelin/remote-write';
import { RpcClient } from '@myelin/rpc';
import { MyelinProcess, postRaw, pushRemoteWrite } from '@myelin/test-services';

// The remote-write receiver's answers, against the single-process binary with multi-tenancy on:
// every rule gets its status code and a message naming the series and the rule.
const up = (job: string, ts: number[], vs: number[]) => ({ labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: job }], timestamps: ts, values: vs });
const now = () => Date.now();

describe('POST /api/v1/push', () => {
  let myelin: MyelinProcess;
  let ingester: IngesterClient;
  let push: string;

  beforeAll(async () => {
    myelin = await MyelinProcess.start({
      binary: 'myelin',
      cwd: mkdtempSync(path.join(tmpdir(), 'myelin-push-')),
      args: ['-auth.enabled=true', '-ingester.max-series-per-user=50', '-distributor.ingestion-rate-limit=100000', '-distributor.ingestion-burst-size=150000', '-distributor.max-recv-msg-size=5000000'],
    });
    push = `${myelin.url}/api/v1/push`;
    ingester = new IngesterClient(new RpcClient(`127.0.0.1:${myelin.rpcPort}`, 1), 5000);
  });
  afterAll(async () => {
    ingester?.close();
    await myelin?.stop();
  });

  const stored = async (tenant: string, job: string) => {
    const b = await ingester.query(tenant, 0, Number.MAX_SAFE_INTEGER, [new Matcher('=', 'job', job)]);
    return [...b.timestamps];
  };

  it('accepts remote write 1.0 with 204 and stores the samples', async () => {
    const t = now();
    const res = await pushRemoteWrite(push, [up('a', [t, t + 1000], [1, 2])], { tenant: 'tenant-a' });
    expect(res.status).toBe(204);
    expect(await stored('tenant-a', 'a')).toEqual([t, t + 1000]);
    expect(await stored('other-tenant', 'a')).toEqual([]);
  });

  it('accepts remote write 2.0 with 204 and the written-count headers', async () => {
    const t = now();
    const res = await pushRemoteWrite(push, [up('v2', [t], [1]), up('v2b', [t, t + 1], [1, 2])], { tenant: 'tenant-v2', version: 2 });
    expect(res.status).toBe(204);
    expect(res.headers.get('x-prometheus-remote-write-samples-written')).toBe('3');
    expect(res.headers.get('x-prometheus-remote-write-histograms-written')).toBe('0');
    expect(await stored('tenant-v2', 'v2b')).toEqual([t, t + 1]);
  });

  it.each([
    [{ 'content-type': 'application/json', 'content-encoding': 'snappy' }, 415, 'unsupported Content-Type "application/json": want application/x-protobuf'],
    [{ 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' }, 415, 'unsupported Content-Encoding "gzip": remote write bodies must be snappy-compressed'],
    [{ 'content-type': 'application/x-protobuf;proto=x.Y', 'content-encoding': 'snappy' }, 415, 'unsupported remote write protobuf message "x.Y"'],
    [{ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy' }, 401, 'no org id: the X-Scope-OrgID header is required'],
    [{ 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-scope-orgid': 'a/b' }, 400, 'tenant ID "a/b" contains unsupported characters'],
  ])('refuses headers %j with %d', async (headers, status, message) => {
    const res = await postRaw(push, snappyEncode(encodeWriteRequestV1([up('x', [now()], [1])])), headers);
    expect(res.status).toBe(status);
    expect(res.body).toContain(message);
  });

  const h = { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-scope-orgid': 'tenant-bad' };

  it.each([
    ['truncated snappy', () => snappyEncode(encodeWriteRequestV1([up('x', [1], [1])])).subarray(0, 5), 'bad remote write body: snappy:'],
    ['a corrupt protobuf', () => snappyEncode(Buffer.from('0a05ffffff', 'hex')), 'bad remote write body: field of 5 bytes at byte 2 overruns its message'],
    ['a wrong wire type', () => snappyEncode(Buffer.from('0801', 'hex')), 'bad remote write body: field 1 of WriteRequest has wire type 0, want 2'],
    ['a huge declared size', () => Buffer.concat([new ProtoWriter().varint(6_000_000).finish(), Buffer.from([0])]), 'The uncompressed length of 6000000 is too big, expect at most 5000000'],
  ])('answers 400 to %s', async (_name, body, message) => {
    const res = await postRaw(push, body(), h);
    expect(res.status).toBe(400);
    expect(res.body).toContain(message);
  });

  it('answers 413 to a body over -distributor.max-recv-msg-size, from its Content-Length alone', async () => {
    // The server answers before reading the body and closes the connection; a client still
    // writing would see EPIPE instead of the answer, so this one announces the size and waits.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(push, { method: 'POST', headers: { ...h, 'content-length': '5100000' } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(status).toBe(413);
  });

  it('refuses invalid series with 400 naming series and rule, and still stores the valid ones', async () => {
    const t = now();
    const res = await pushRemoteWrite(
      push,
      [up('ok', [t], [1]), { labels: [{ name: '__name__', value: 'up' }, { name: 'bad-label', value: 'x' }], timestamps: [t], values: [1] }],
      { tenant: 'tenant-mixed' },
    );
    expect(res.status).toBe(400);
    expect(res.body).toContain('invalid label name "bad-label" in series "up{bad-label=\\"x\\"}"');
    expect(await stored('tenant-mixed', 'ok')).toEqual([t]);
  });

  it('refuses samples too far in the future with 400', async () => {
    const res = await pushRemoteWrite(push, [up('future', [now() + 3_600_000], [1])], { tenant: 'tenant-future' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('timestamp too new');
  });

  it('refuses out-of-order and changed-duplicate samples with 400, and accepts an exact retry', async () => {
    const t = now();
    expect((await pushRemoteWrite(push, [up('ooo', [t], [1])], { tenant: 'tenant-ooo' })).status).toBe(204);
    const ooo = await pushRemoteWrite(push, [up('ooo', [t - 5000], [1])], { tenant: 'tenant-ooo' });
    expect(ooo.status).toBe(400);
    expect(ooo.body).toContain(`out of order sample for series up{job="ooo"}: timestamp ${t - 5000} is before the latest sample at ${t}`);
    const dup = await pushRemoteWrite(push, [up('ooo', [t], [2])], { tenant: 'tenant-ooo' });
    expect(dup.status).toBe(400);
    expect(dup.body).toContain(`duplicate sample for timestamp ${t} with a different value`);
    expect((await pushRemoteWrite(push, [up('ooo', [t], [1])], { tenant: 'tenant-ooo' })).status).toBe(204);
    expect(await stored('tenant-ooo', 'ooo')).toEqual([t]);
  });

  it('enforces the per-tenant series limit with 400', async () => {
    const t = now();
    const series = Array.from({ length: 60 }, (_, i) => up(`s${i}`, [t], [i]));
    const res = await pushRemoteWrite(push, series, { tenant: 'tenant-limit' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('per-user series limit of 50 exceeded');
  });

  it('answers 429 over the ingestion rate, storing nothing of that request', async () => {
    const t = now();
    const big = Array.from({ length: 40 }, (_, i) => up(`r${i}`, Array.from({ length: 5000 }, (_, k) => t - 5_000_000 + k * 1000), Array(5000).fill(1)));
    const res = await pushRemoteWrite(push, big, { tenant: 'tenant-rate' });
    expect(res.status).toBe(429);
    expect(res.body).toContain('ingestion rate limit (100000 samples/s) exceeded while adding 200000 samples for tenant tenant-rate');
    expect(await stored('tenant-rate', 'r0')).toEqual([]);
  });

  it('refuses native histograms with 400 and keeps the float samples', async () => {
    const w = new ProtoWriter();
    const t = now();
    w.message(1, (ts) => {
      ts.message(1, (l) => l.tag(1, 2).string('__name__').tag(2, 2).string('mixed'));
      ts.message(1, (l) => l.tag(1, 2).string('job').tag(2, 2).string('hist'));
      ts.message(2, (s) => s.tag(1, 1).double(5).tag(2, 0).varint(t));
      ts.message(4, (hh) => hh.tag(3, 1).double(1).tag(15, 0).varint(t));
    });
    const res = await postRaw(push, snappyEncode(w.finish()), { ...h, 'x-scope-orgid': 'tenant-hist' });
    expect(res.status).toBe(400);
    expect(res.body).toContain('native histograms are not supported yet: 1 histogram samples refused');
    expect(await stored('tenant-hist', 'hist')).toEqual([t]);
  });
});

describe('POST /api/v1/push without ingesters', () => {
  it('answers 503 (retryable) when the ring has no ingester', async () => {
    const d = await MyelinProcess.start({ binary: 'distributor', args: ['-ring.store=inmemory'] });
    try {
      const res = await pushRemoteWrite(`${d.url}/api/v1/push`, [up('x', [now()], [1])], { tenant: 't' });
      expect(res.status).toBe(503);
      expect(res.body).toContain('empty ring: no instance owns any token');
    } finally {
      await d.stop();
    }
  });
});
