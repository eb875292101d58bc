import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MyelinProcess, pushRemoteWrite, RedisServer, S3Server, waitFor } from '@myelin/test-services';

// The querier's time split over real processes: three ingesters (RF=3) ship blocks to a real S3
// endpoint; queriers read the blocks (three replicas of each) and the ingesters, and every sample
// comes back exactly once: from ingesters and blocks overlapping, from blocks only (the range is
// older than -querier.query-ingesters-within, and stays complete with every ingester killed), and
// from both when old data is in blocks and recent data only in the ingesters' heads.
const TENANT = 'team-blocks';
const SERIES = 20;
const OLD = 20;
const RECENT = 10;
const STEP_S = 15;

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

describe('read path: ingesters and blocks in S3, split by time', () => {
  let redis: RedisServer;
  let s3: S3Server;
  let distributor: MyelinProcess;
  let overlapping: MyelinProcess;
  let split: MyelinProcess;
  const ingesters: MyelinProcess[] = [];
  const dataDir = mkdtempSync(path.join(tmpdir(), 'myelin-read-blocks-'));
  const now = Math.floor(Date.now() / 1000);
  // Old samples end 15 minutes ago and are flushed to blocks; recent ones stay in the heads.
  const oldStart = now - 15 * 60 - (OLD - 1) * STEP_S;
  const recentStart = now - 4 * 60;
  const times = [...Array.from({ length: OLD }, (_, k) => oldStart + k * STEP_S), ...Array.from({ length: RECENT }, (_, k) => recentStart + k * STEP_S)];
  const labelsOf = (s: number) => [
    { name: '__name__', value: 'blocks_metric' },
    { name: 'series', value: String(s).padStart(3, '0') },
  ];
  const valueOf = (s: number, t: number) => s * 1_000_000 + (t - oldStart);
  const s3Flags = () => s3.myelinFlags();
  const ringFlags = () => ['-ring.store=redis', `-ring.redis.address=${redis.address}`, '-ring.heartbeat-period=500ms', '-ring.heartbeat-timeout=1m', '-distributor.replication-factor=3', '-auth.enabled=true'];

  const push = async (ts: number[]) => {
    for (const t of ts) {
      const series = Array.from({ length: SERIES }, (_, s) => ({ labels: labelsOf(s), timestamps: [t * 1000], values: [valueOf(s, t)] }));
      const res = await pushRemoteWrite(`${distributor.url}/api/v1/push`, series, { tenant: TENANT });
      expect({ status: res.status, body: res.body }).toEqual({ status: 204, body: '' });
    }
  };
  /** A range query at the samples' own step: every sample must come back once, nothing else. */
  const range = async (q: MyelinProcess, from: number, to: number) => {
    const params = new URLSearchParams({ query: 'blocks_metric', start: String(from), end: String(to), step: `${STEP_S}s` });
    const res = await fetch(`${q.url}/prometheus/api/v1/query_range?${params}`, { headers: { 'x-scope-orgid': TENANT } });
    const body = (await res.json()) as { status: string; data: { result: Matrix }; error?: string };
    expect({ status: res.status, error: body.error }).toEqual({ status: 200, error: undefined });
    return body.data.result.map((r) => [r.metric.series, r.values.map(([t, v]) => `${t}=${v}`)]);
  };
  /** What a range query over [from, to] at the samples' step answers: the written samples, and
   *  (inside the 5-minute lookback) the last one repeated at the steps after it. */
  const written = (from: number, to: number) =>
    Array.from({ length: SERIES }, (_, s) => {
      const out: string[] = [];
      for (let t = from; t <= to; t += STEP_S) {
        const last = [...times].reverse().find((x) => x <= t && x > t - 300);
        if (last !== undefined) out.push(`${t}=${valueOf(s, last)}`);
      }
      return [String(s).padStart(3, '0'), out];
    });

  beforeAll(async () => {
    [redis, s3] = await Promise.all([RedisServer.start(), S3Server.start({ bucket: 'blocks' })]);
    for (let i = 1; i <= 3; i++) {
      ingesters[i] = await MyelinProcess.start({
        binary: 'ingester',
        args: [...ringFlags(), ...s3Flags(), `-ring.instance-id=ingester-${i}`, '-ring.instance-addr=127.0.0.1', `-blocks-storage.tsdb.dir=${path.join(dataDir, `ingester-${i}`)}`, '-blocks-storage.tsdb.ship-interval=1s'],
      });
    }
    distributor = await MyelinProcess.start({ binary: 'distributor', args: ringFlags() });
    const querierFlags = [...ringFlags(), ...s3Flags(), '-blocks-storage.bucket-store.sync-interval=1s'];
    overlapping = await MyelinProcess.start({ binary: 'querier', args: [...querierFlags, '-querier.query-ingesters-within=1h'] });
    // This one caches chunks too: the tests below read some blocks twice, the second time from memory.
    split = await MyelinProcess.start({ binary: 'querier', args: [...querierFlags, '-querier.query-ingesters-within=10m', '-querier.query-store-after=10m', '-blocks-storage.bucket-store.chunks-cache.backend=inmemory'] });
    await waitFor('three ACTIVE ingesters in the distributor\'s ring', async () => {
      const rows = ((await (await fetch(`${distributor.url}/ring?format=json`)).json()) as { instances: Array<{ state: string }> }).instances;
      return rows.filter((r) => r.state === 'ACTIVE').length === 3 ? true : undefined;
    });

    await push(times.slice(0, OLD));
    for (let i = 1; i <= 3; i++) {
      const res = await fetch(`${ingesters[i].url}/ingester/flush?wait=true`, { method: 'POST' });
      const body = (await res.json()) as { uploaded: string[]; failedUploads: number };
      expect(body.failedUploads).toBe(0);
      expect(body.uploaded.length).toBeGreaterThan(0);
    }
    await push(times.slice(OLD));
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...ingesters.filter(Boolean), distributor, overlapping, split].filter(Boolean).map((p) => p.stop()));
    await redis?.stop();
    await s3?.destroy();
  });

  it('returns each sample once where ingesters and blocks overlap', async () => {
    expect(await range(overlapping, oldStart, now)).toEqual(written(oldStart, now));
  }, 30_000);

  it('returns old data from blocks and recent data from the ingesters, with no gap', async () => {
    expect(await range(split, oldStart, now)).toEqual(written(oldStart, now));
  }, 30_000);

  it('answers a range older than query-ingesters-within from blocks alone, every ingester killed', async () => {
    const oldEnd = oldStart + (OLD - 1) * STEP_S;
    const before = await range(split, oldStart, oldEnd);
    expect(before).toEqual(written(oldStart, oldEnd));
    await Promise.all([1, 2, 3].map((i) => ingesters[i].stop('SIGKILL')));
    expect(await range(split, oldStart, oldEnd)).toEqual(before);
    // The second read of the blocks came (at least in part) from the caches.
    const metrics = await (await fetch(`${split.url}/metrics`)).text();
    for (const cache of ['series', 'chunks']) {
      const hits = Number(new RegExp(`^cortex_bucket_store_cache_hits_total\\{cache="${cache}"\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      expect({ cache, hits: hits > 0 }).toEqual({ cache, hits: true });
    }
  }, 30_000);
});
