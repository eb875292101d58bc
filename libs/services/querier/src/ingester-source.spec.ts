import { type Labels, Matcher } from '@myelin/model';
import { InstanceState, type InstanceDesc } from '@myelin/ring';
import { collectSeries, IncompleteResultError, type Queryable, type Series, seriesSetOf } from '@myelin/storage';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { ingesterChunks, ingesterQueryable, type IngesterSourceConfig } from './ingester-source';

const NOW = 10_000_000;
const up: Labels = [
  { name: '__name__', value: 'up' },
  { name: 'job', value: 'a' },
];

function member(i: number, state = InstanceState.ACTIVE): InstanceDesc {
  return { id: `ingester-${i}`, addr: `127.0.0.1:${9000 + i}`, zone: '', state, tokens: [i], heartbeatTimestamp: NOW, registeredTimestamp: 0 };
}

/** Each fake ingester holds `up` with the given timestamps, or fails; it records the range asked. */
function fakeIngesters(held: Record<string, number[] | 'down'>) {
  const asked: Array<[string, number, number]> = [];
  const chunksAsked: string[] = [];
  return {
    asked,
    chunksAsked,
    async chunks(address: string, _tenant: string, mint: number, maxt: number) {
      chunksAsked.push(address);
      const ts = held[address];
      if (ts === 'down') throw new Error('connect ECONNREFUSED');
      const inRange = (ts ?? []).filter((t) => t >= mint && t <= maxt);
      if (inRange.length === 0) return [];
      const c = new XORChunk();
      for (const t of inRange) c.append(t, 1);
      return [{ labels: up, chunks: [{ minTime: inRange[0], maxTime: inRange[inRange.length - 1], bytes: c.bytes() }] }];
    },
    queryable(address: string): Queryable {
      return {
        querier: async (mint, maxt) => {
          asked.push([address, mint, maxt]);
          return {
            select: async () => {
              const ts = held[address];
              if (ts === 'down') throw new Error('connect ECONNREFUSED');
              const s: Series = { labels: up, timestamps: Float64Array.from(ts ?? []), values: Float64Array.from(ts ?? [], () => 1) };
              return seriesSetOf([s]);
            },
            labelNames: async () => [],
            labelValues: async () => [],
            close: async () => undefined,
          };
        },
      };
    },
  };
}

const config: IngesterSourceConfig = { replicationFactor: 3, heartbeatTimeoutMs: 60_000, zoneAwarenessEnabled: false, queryIngestersWithinMs: 0 };
const select = async (q: Queryable, mint = 0, maxt = NOW) => (await collectSeries(await (await q.querier(mint, maxt)).select([new Matcher('=', '__name__', 'up')]))).map((s) => [...s.timestamps]);

describe('ingesterQueryable', () => {
  const ring = (...ms: InstanceDesc[]) => ({ instances: () => ms });

  it('asks every ingester, READONLY ones too, and returns each sample once', async () => {
    const ingesters = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': [2, 3], '127.0.0.1:9003': [1, 3, 4] });
    const q = ingesterQueryable('t', ring(member(1), member(2, InstanceState.READONLY), member(3)), ingesters, config, () => NOW);
    expect(await select(q)).toEqual([[1, 2, 3, 4]]);
    expect(ingesters.asked.map((a) => a[0]).sort()).toEqual(['127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9003']);
  });

  it('answers completely with one of three ingesters down, and fails clearly with two', async () => {
    const one = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': 'down', '127.0.0.1:9003': [1, 2] });
    expect(await select(ingesterQueryable('t', ring(member(1), member(2), member(3)), one, config, () => NOW))).toEqual([[1, 2]]);
    const two = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': 'down', '127.0.0.1:9003': 'down' });
    const q = ingesterQueryable('t', ring(member(1), member(2), member(3)), two, config, () => NOW);
    await expect(select(q)).rejects.toThrow(IncompleteResultError);
    await expect(select(q)).rejects.toThrow('2 of 3 sources failed, too many for a complete answer: ingester ingester-2 (127.0.0.1:9002): connect ECONNREFUSED; ingester ingester-3 (127.0.0.1:9003): connect ECONNREFUSED');
  });

  it('with minimized requests asks two of three ingesters for chunks, and the third only when one fails', async () => {
    const minimized = { ...config, minimizeIngesterRequests: true };
    const all = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': [2, 3], '127.0.0.1:9003': [1, 3] });
    const chunks = ingesterChunks('t', ring(member(1), member(2), member(3)), all, minimized, () => NOW);
    const got = await chunks(0, NOW, [new Matcher('=', '__name__', 'up')]);
    expect(got).toHaveLength(2);
    expect(all.chunksAsked).toEqual(['127.0.0.1:9001', '127.0.0.1:9002']);

    let reads = 0;
    const rotating = fakeIngesters({ '127.0.0.1:9001': [1], '127.0.0.1:9002': [1], '127.0.0.1:9003': [1] });
    const rotated = ingesterChunks('t', ring(member(1), member(2), member(3)), rotating, minimized, () => NOW, () => reads++);
    for (let k = 0; k < 3; k++) await rotated(0, NOW, []);
    // Each ingester left out once in three reads.
    expect(rotating.chunksAsked.sort()).toEqual(['127.0.0.1:9001', '127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9002', '127.0.0.1:9003', '127.0.0.1:9003']);

    const oneDown = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': 'down', '127.0.0.1:9003': [1, 2] });
    expect(await select(ingesterQueryable('t', ring(member(1), member(2), member(3)), oneDown, minimized, () => NOW))).toEqual([[1, 2]]);
    expect(oneDown.chunksAsked).toEqual(['127.0.0.1:9001', '127.0.0.1:9002', '127.0.0.1:9003']);
  });

  it('with zone awareness counts each zone-less ingester as its own zone when leaving some out', async () => {
    // Zones a and b, and two ingesters without a zone (the ring may put two replicas of a series on them).
    const zoned = (i: number, zone: string) => ({ ...member(i), zone });
    const held = { '127.0.0.1:9001': [1], '127.0.0.1:9002': [1], '127.0.0.1:9003': [1], '127.0.0.1:9004': [1] };
    const cfg = { ...config, zoneAwarenessEnabled: true, minimizeIngesterRequests: true };
    for (let first = 0; first < 4; first++) {
      const ingesters = fakeIngesters(held);
      await ingesterChunks('t', ring(zoned(1, 'a'), zoned(2, 'b'), zoned(3, ''), zoned(4, '')), ingesters, cfg, () => NOW, () => first)(0, NOW, []);
      // At most one ingester left out, never both zone-less ones.
      expect(ingesters.chunksAsked.length).toBeGreaterThanOrEqual(3);
      expect(ingesters.chunksAsked.some((a) => a === '127.0.0.1:9003' || a === '127.0.0.1:9004')).toBe(true);
    }
  });

  it('answers a series-only select with labels and no samples', async () => {
    const ingesters = fakeIngesters({ '127.0.0.1:9001': [1, 2], '127.0.0.1:9002': [1, 2], '127.0.0.1:9003': [1, 2] });
    const q = await ingesterQueryable('t', ring(member(1), member(2), member(3)), ingesters, config, () => NOW).querier(0, NOW);
    const got = await collectSeries(await q.select([new Matcher('=', '__name__', 'up')], { seriesOnly: true }));
    expect(got.map((s) => [s.labels, s.timestamps.length])).toEqual([[up, 0]]);
  });

  it('refuses to read when the ring has too few healthy ingesters', async () => {
    const stale = { ...member(2), heartbeatTimestamp: NOW - 120_000 };
    const q = ingesterQueryable('t', ring(member(1), stale, { ...member(3), heartbeatTimestamp: NOW - 120_000 }), fakeIngesters({}), config, () => NOW);
    await expect(q.querier(0, NOW)).rejects.toThrow('cannot read from the ingesters: too many unhealthy instances in the ring: 1 healthy, 2 needed');
  });

  it('asks ingesters only for the last query-ingesters-within, and not at all before it', async () => {
    const ingesters = fakeIngesters({ '127.0.0.1:9001': [] });
    const q = ingesterQueryable('t', ring(member(1)), ingesters, { ...config, replicationFactor: 1, queryIngestersWithinMs: 60_000 }, () => NOW);
    await select(q, 0, NOW);
    expect(ingesters.asked).toEqual([['127.0.0.1:9001', NOW - 60_000, NOW]]);
    expect(await select(q, 0, NOW - 120_000)).toEqual([]);
    expect(ingesters.asked).toHaveLength(1);
  });
});
