import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { KVClient } from '@myelin/kv';
import { CLOCK, type Clock, CONFIG, type MyelinConfig, METRICS_REGISTRY, Readiness } from '@myelin/platform';
import { InstanceState, type RingDesc, RingWatcher, STATE_NAMES } from '@myelin/ring';
import { Gauge, type Registry } from 'prom-client';
import { INGESTER_RING_KEY, RING_KV } from './tokens';

/**
 * The process's live view of the ingester ring, shared by every service in it (distributor,
 * ingester, later querier). Starts watching on init; the process is not ready before the first
 * ring arrives. Exposes cortex_ring_members{name,state}.
 */
@Injectable()
export class IngesterRing implements OnModuleInit, OnApplicationShutdown {
  readonly watcher: RingWatcher;

  constructor(
    @Inject(RING_KV) private readonly kv: KVClient<RingDesc>,
    @Inject(CONFIG) config: MyelinConfig,
    @Inject(CLOCK) clock: Clock,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly readiness: Readiness,
  ) {
    this.watcher = new RingWatcher(
      kv,
      INGESTER_RING_KEY,
      {
        replicationFactor: config['distributor.replication-factor'],
        heartbeatTimeoutMs: config['ring.heartbeat-timeout'],
        zoneAwarenessEnabled: config['ring.zone-awareness-enabled'],
      },
      clock,
    );
    const watcher = this.watcher;
    new Gauge({
      name: 'cortex_ring_members',
      help: 'Number of members in the ring, by state.',
      labelNames: ['name', 'state'],
      registers: [registry],
      collect() {
        for (const [state, name] of STATE_NAMES.entries()) {
          this.set({ name: 'ingester', state: name }, watcher.ring().instancesInState(state as InstanceState).length);
        }
      },
    });
  }

  onModuleInit(): void {
    this.watcher.start();
    this.readiness.register('ring', () => (this.watcher.lastUpdate === 0 ? 'ring not yet read from the KV store' : undefined));
  }

  async onApplicationShutdown(): Promise<void> {
    this.watcher.stop();
    // Last of all, after every service has left the ring through this store.
    await this.kv.close();
  }
}
