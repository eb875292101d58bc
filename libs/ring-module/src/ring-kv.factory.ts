import { InMemoryKV, type KVClient } from '@myelin/kv';
import { RedisKV } from '@myelin/kv-redis';
import type { Logger, MyelinConfig } from '@myelin/platform';
import { ringDescCodec, type RingDesc } from '@myelin/ring';

/** The ring's KV store as configured: in memory (one process) or Redis. */
export async function createRingKV(config: MyelinConfig, logger: Logger): Promise<KVClient<RingDesc>> {
  if (config['ring.store'] === 'inmemory') return new InMemoryKV(ringDescCodec);
  const kv = new RedisKV<RingDesc>({
    address: config['ring.redis.address'],
    password: config['ring.redis.password'],
    keyPrefix: config['ring.prefix'],
    codec: ringDescCodec,
    logger,
    resyncPeriodMs: config['ring.redis.resync-period'],
  });
  try {
    await kv.waitReady(5000);
  } catch (e) {
    // Not fatal: members retry, watchers resync, readiness says why meanwhile.
    logger.warn({ err: (e as Error).message }, 'ring KV store not reachable yet');
  }
  return kv;
}
