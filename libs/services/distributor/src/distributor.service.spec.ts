import { decodeSeriesBatch } from '@myelin/ingester-client';
import { InMemoryKV } from '@myelin/kv';
import { createLogger, createMetricsRegistry, loadConfig, type MyelinConfig, TenantLimitsProvider } from '@myelin/platform';
import { encodeWriteRequestV1, snappyEncode } from '@myelin/remote-write';
import { InstanceState, type RingDesc, ringDescCodec, RingWatcher, withInstance } from '@myelin/ring';
import type { IngesterRing } from '@myelin/ring-module';
import { RpcCallError } from '@myelin/rpc';
import { Writable } from 'node:stream';
import { DistributorService, type IngesterPushPool } from './distributor.service';

const NOW = 1_700_000_000_000;
const KEY = 'ring';

function config(flags: string[] = []): MyelinConfig {
  const r = loadConfig({ argv: ['-distributor.replication-factor=3', ...flags], env: {}, readFile: () => '' });
  if (r.kind !== 'config') throw new Error(JSON.stringify(r));
  return r.config;
}

type Behaviour = (tenant: string) => Promise<void>;

/** Records what each ingester address received; each answers as its behaviour says. */
class FakePool implements IngesterPushPool {
  readonly received = new Map<string, string[]>();
  readonly behaviour = new Map<string, Behaviour>();
  get(address: string) {
    return {
      push: async (batch: readonly Buffer[]) => {
        const b = decodeSeriesBatch(Buffer.concat(batch));
        await (this.behaviour.get(address) ?? (async () => undefined))(b.tenant);
        this.received.set(address, [...(this.received.get(address) ?? []), ...b.labels.map((l) => l.find((x) => x.name === 'job')!.value)]);
      },
    };
  }
  pruned: Array<ReadonlySet<string>> = [];
  prune(live: ReadonlySet<string>): void {
    this.pruned.push(live);
  }
  closeAll(): void {
    this.received.clear();
  }
}

async function setup(instances: number, flags: string[] = []) {
  const kv = new InMemoryKV<RingDesc>(ringDescCodec);
  for (let i = 1; i <= instances; i++) {
    await kv.cas(KEY, (d) =>
      withInstance(d, { id: `ing-${i}`, addr: `a${i}`, zone: '', state: InstanceState.ACTIVE, tokens: [i * 0x10000000], heartbeatTimestamp: NOW, registeredTimestamp: 0 }),
    );
  }
  const cfg = config(flags);
  const watcher = new RingWatcher(kv, KEY, { replicationFactor: 3, heartbeatTimeoutMs: 60_000, zoneAwarenessEnabled: false }, { now: () => NOW });
  watcher.start();
  await watcher.refresh();
  const pool = new FakePool();
  const logger = createLogger({ level: 'error', service: 'test' }, new Writable({ write: (_c, _e, cb) => cb() }));
  const service = new DistributorService(cfg, logger, createMetricsRegistry(), { now: () => NOW }, { watcher } as unknown as IngesterRing, pool, new TenantLimitsProvider(cfg));
  const push = (jobs: string[]) =>
    service.push('tenant', 1, body(jobs.map((job) => ({ labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: job }], timestamps: [NOW], values: [1] }))));
  return { kv, pool, service, push, watcher };
}

/** A remote-write 1.0 body as a sender sends it. */
const body = (series: Parameters<typeof encodeWriteRequestV1>[0]) => snappyEncode(encodeWriteRequestV1(series));

const fail = (status: number, message: string): Behaviour => async () => {
  throw new RpcCallError(status, message);
};

describe('DistributorService.push', () => {
  it('writes every series to its three replicas and answers 204', async () => {
    const { pool, push } = await setup(3);
    expect(await push(['a', 'b'])).toEqual({ status: 204, samplesWritten: 2, exemplarsWritten: 0 });
    for (const addr of ['a1', 'a2', 'a3']) expect(pool.received.get(addr)).toEqual(['a', 'b']);
  });

  it('tolerates one failed replica of three', async () => {
    const { pool, push } = await setup(3);
    pool.behaviour.set('a2', fail(503, 'connection to a2 lost'));
    expect(await push(['a'])).toEqual({ status: 204, samplesWritten: 1, exemplarsWritten: 0 });
  });

  it('answers the 5xx when two replicas fail, so the sender retries', async () => {
    const { pool, push } = await setup(3);
    pool.behaviour.set('a1', fail(503, 'connection to a1 lost'));
    pool.behaviour.set('a3', fail(504, 'RPC push to a3 timed out after 2000 ms'));
    const result = await push(['a']);
    expect(result.status).toBeGreaterThanOrEqual(500);
    expect(result.message).toMatch(/connection to a1 lost|timed out/);
  });

  it('answers 400 when the replicas refuse the data', async () => {
    const { pool, push } = await setup(3);
    for (const a of ['a1', 'a2', 'a3']) pool.behaviour.set(a, fail(400, 'user=tenant: out of order sample for series up{job="a"}'));
    expect(await push(['a'])).toEqual({ status: 400, message: 'user=tenant: out of order sample for series up{job="a"}', samplesWritten: 0, exemplarsWritten: 0 });
  });

  it('answers 503 with the ring\'s reason when too few ingesters are healthy', async () => {
    const { push } = await setup(1);
    expect(await push(['a'])).toEqual({ status: 503, message: 'at least 2 live replicas required, could only find 1', samplesWritten: 0, exemplarsWritten: 0 });
  });

  it('stores the valid series of a request and answers 400 for the invalid one', async () => {
    const { pool, service } = await setup(3);
    const write = body([
      { labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: 'good' }], timestamps: [NOW], values: [1] },
      { labels: [{ name: 'job', value: 'nameless' }], timestamps: [NOW], values: [1] },
    ]);
    expect(await service.push('tenant', 1, write)).toEqual({
      status: 400,
      message: 'sample missing metric name: series "{job=\\"nameless\\"}" has no __name__ label',
      samplesWritten: 1,
      exemplarsWritten: 0,
    });
    expect(pool.received.get('a1')).toEqual(['good']);
  });

  it('answers 429 over the tenant\'s rate and sends nothing', async () => {
    const { pool, push } = await setup(3, ['-distributor.ingestion-rate-limit=1', '-distributor.ingestion-burst-size=2']);
    expect((await push(['a', 'b'])).status).toBe(204);
    expect(await push(['c'])).toMatchObject({ status: 429, message: 'ingestion rate limit (1 samples/s) exceeded while adding 1 samples for tenant tenant' });
    expect(pool.received.get('a1')).toEqual(['a', 'b']);
  });

  it.each([
    [[], 1],
    [['-distributor.shard-by-all-labels=true'], 4],
  ])('with flags %j, series of one metric spread over %d replica set(s)', async (flags, sets) => {
    // Twelve instances, RF 3: sharding by metric name puts every `up` series on the same three.
    const { pool, service } = await setup(12, flags);
    const write = body(Array.from({ length: 40 }, (_, i) => ({ labels: [{ name: '__name__', value: 'up' }, { name: 'job', value: `j${i}` }], timestamps: [NOW], values: [1] })));
    expect((await service.push('tenant', 1, write)).status).toBe(204);
    const used = [...pool.received.keys()].length;
    if (sets === 1) expect(used).toBe(3);
    else expect(used).toBeGreaterThanOrEqual(sets);
  });

  it('re-sends to the next owner when an ingester refuses because it turned READONLY', async () => {
    const { kv, pool, push } = await setup(4);
    // ing-2 went READONLY a moment ago: it refuses, and its own state change reaches the ring.
    pool.behaviour.set('a2', async () => {
      await kv.cas(KEY, (d) => withInstance(d, { ...d!.instances['ing-2'], state: InstanceState.READONLY }));
      throw new RpcCallError(503, 'instance not writable: ingester ing-2 is READONLY and takes no writes');
    });
    const jobs = Array.from({ length: 40 }, (_, i) => `job-${i}`);
    expect(await push(jobs)).toEqual({ status: 204, samplesWritten: 40, exemplarsWritten: 0 });
    // The push is answered at quorum; the re-send of ing-2's share may still be under way. Once
    // done, every series ing-2 refused is on the instance that replaced it: three copies each,
    // none on ing-2.
    const copies = (job: string) => ['a1', 'a3', 'a4'].filter((a) => pool.received.get(a)?.includes(job)).length;
    for (let i = 0; i < 100 && jobs.some((j) => copies(j) < 3); i++) await new Promise((r) => setTimeout(r, 10));
    expect(pool.received.get('a2')).toBeUndefined();
    for (const job of jobs) expect({ job, copies: copies(job) }).toEqual({ job, copies: 3 });
  });
});
