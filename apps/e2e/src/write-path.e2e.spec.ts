import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { IngesterClient } from '@myelin/ingester-client';
import { labelsKey, Matcher } from '@myelin/model';
import { RpcClient } from '@myelin/rpc';
import { MyelinProcess, pushRemoteWrite, RedisServer, waitFor } from '@myelin/test-services';

// The write path through real processes: a distributor and three ingesters sharing a ring in a
// real redis-server, RF=3. Every series lands on all three; an ingester killed with SIGKILL
// mid-load loses no acknowledged sample, and restarted it replays its WAL and serves again.
const SERIES = 10_000;
const PER_REQUEST = 2_000;
const TENANT = 'load';

describe('write path: distributor -> 3 ingesters, RF=3', () => {
  let redis: RedisServer;
  let distributor: MyelinProcess;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'myelin-write-'));
  const ingesters: MyelinProcess[] = [];
  const rpcPorts: number[] = [];
  // The heartbeat timeout is Cortex's default (1m), not a short one: this test is about acknowledged
  // data, not failure detection, and once a clean-clone CI run on the 2-core machine saw the
  // distributor judge two live ingesters' heartbeats older than 5s mid-load (a 503 with "unhealthy
  // instances"). The killed ingester's errors are absorbed by the quorum either way.
  const ringFlags = () => ['-ring.store=redis', `-ring.redis.address=${redis.address}`, '-ring.heartbeat-period=500ms', '-ring.heartbeat-timeout=1m', '-distributor.replication-factor=3', '-auth.enabled=true'];
  const ingesterArgs = (i: number) => [
    ...ringFlags(),
    `-ring.instance-id=ingester-${i}`,
    '-ring.instance-addr=127.0.0.1',
    `-blocks-storage.tsdb.dir=${path.join(dataDir, `ingester-${i}`)}`,
    ...(rpcPorts[i] ? [`-server.grpc-listen-port=${rpcPorts[i]}`] : []),
  ];
  const client = (i: number) => new IngesterClient(new RpcClient(`127.0.0.1:${rpcPorts[i]}`, 1), 20_000);
  const seriesLabels = (s: number) => [
    { name: '__name__', value: `node_metric_${s % 50}` },
    { name: 'instance', value: `host-${Math.floor(s / 50)}:9100` },
    { name: 'job', value: 'node' },
  ];
  const push = (from: number, count: number, t: number, round: number) =>
    pushRemoteWrite(
      `${distributor.url}/api/v1/push`,
      Array.from({ length: count }, (_, k) => ({ labels: seriesLabels(from + k), timestamps: [t], values: [round * 1000 + from + k] })),
      { tenant: TENANT, timeoutMs: 30_000 },
    );
  /** Every stored sample of the tenant on ingester i, keyed "labels@t". */
  const contents = async (i: number) => {
    const c = client(i);
    try {
      const b = await c.query(TENANT, 0, Number.MAX_SAFE_INTEGER, [new Matcher('=', 'job', 'node')]);
      const out = new Map<string, number>();
      for (let s = 0; s < b.seriesCount; s++) {
        for (let k = b.offsets[s]; k < b.offsets[s + 1]; k++) out.set(`${labelsKey(b.labels[s])}@${b.timestamps[k]}`, b.values[k]);
      }
      return { series: b.seriesCount, samples: out };
    } finally {
      c.close();
    }
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    for (let i = 1; i <= 3; i++) {
      const p = await MyelinProcess.start({ binary: 'ingester', args: ingesterArgs(i) });
      ingesters[i] = p;
      rpcPorts[i] = p.rpcPort;
    }
    distributor = await MyelinProcess.start({ binary: 'distributor', args: ringFlags() });
    await waitFor('three ACTIVE ingesters in the distributor\'s ring', async () => {
      const rows = ((await (await fetch(`${distributor.url}/ring?format=json`)).json()) as { instances: Array<{ state: string }> }).instances;
      return rows.filter((r) => r.state === 'ACTIVE').length === 3 ? true : undefined;
    });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...ingesters.filter(Boolean), distributor].filter(Boolean).map((p) => p.stop()));
    await redis?.stop();
  });

  it('lands each of 10,000 series on exactly three ingesters', async () => {
    const t = Date.now() - 60_000;
    for (let from = 0; from < SERIES; from += PER_REQUEST) {
      const res = await push(from, PER_REQUEST, t, 0);
      expect({ status: res.status, body: res.body }).toEqual({ status: 204, body: '' });
    }
    for (let i = 1; i <= 3; i++) expect((await contents(i)).series).toBe(SERIES);
  }, 60_000);

  it('loses no acknowledged sample when an ingester is killed with SIGKILL mid-load, and the restarted one replays its WAL', async () => {
    const acked = new Map<string, number>();
    const base = Date.now() - 50_000;
    let killed = false;
    for (let round = 1; round <= 8; round++) {
      const t = base + round * 1000;
      const requests = [];
      for (let from = 0; from < SERIES; from += PER_REQUEST) {
        requests.push(
          push(from, PER_REQUEST, t, round).then((res) => {
            expect({ status: res.status, body: res.body }).toEqual({ status: 204, body: '' });
            for (let k = 0; k < PER_REQUEST; k++) acked.set(`${labelsKey(seriesLabels(from + k))}@${t}`, round * 1000 + from + k);
          }),
        );
      }
      if (round === 4) {
        // Kill while this round's requests are in flight.
        await new Promise((r) => setTimeout(r, 5));
        await ingesters[2].stop('SIGKILL');
        killed = true;
      }
      await Promise.all(requests);
    }
    expect(killed).toBe(true);
    expect(acked.size).toBe(8 * SERIES);

    // Restart ingester-2 on the same data directory and ports: it replays its WAL.
    ingesters[2] = await MyelinProcess.start({ binary: 'ingester', args: ingesterArgs(2) });
    expect(ingesters[2].child.logs()).toMatch(/"msg":"WAL replayed"/);
    const [one, two, three] = [await contents(1), await contents(2), await contents(3)];
    expect(two.series).toBe(SERIES);
    // Everything ingester-2 acknowledged before the kill is back: rounds 1-3 entirely.
    for (let round = 1; round <= 3; round++) {
      const key = `${labelsKey(seriesLabels(1234))}@${base + round * 1000}`;
      expect(two.samples.get(key)).toBe(round * 1000 + 1234);
    }
    // Every acknowledged sample is on at least two ingesters (the quorum), with its value.
    let underReplicated = 0;
    for (const [key, value] of acked) {
      const copies = [one, two, three].filter((c) => c.samples.get(key) === value).length;
      if (copies < 2) underReplicated++;
    }
    expect(underReplicated).toBe(0);
  }, 120_000);
});
