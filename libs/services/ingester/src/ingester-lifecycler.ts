import { Inject, Injectable } from '@nestjs/common';
import { hostname } from 'node:os';
import path from 'node:path';
import type { KVClient } from '@myelin/kv';
import { CLOCK, type Clock, CONFIG, LOGGER, type Logger, METRICS_REGISTRY, type MyelinConfig } from '@myelin/platform';
import { Lifecycler, type RingDesc, stateName } from '@myelin/ring';
import { FileTokensStore, INGESTER_RING_KEY, RING_KV } from '@myelin/ring-module';
import { Gauge, type Registry } from 'prom-client';

/** This ingester's ID in the ring: -ring.instance-id, else the host name. */
export function instanceId(config: MyelinConfig): string {
  return config['ring.instance-id'] || hostname();
}

/** host:port advertised in the ring. */
export function instanceAddr(config: MyelinConfig): string {
  const host = config['ring.instance-addr'] || hostname();
  const port = config['ring.instance-port'] || config['server.grpc-listen-port'];
  return `${host}:${port}`;
}

export function tokensFilePath(config: MyelinConfig): string {
  return config['ring.tokens-file-path'] || path.join(config['blocks-storage.tsdb.dir'], 'ring-tokens.json');
}

/** The ingester's ring membership; IngesterService starts it after WAL replay and stops it first on shutdown. */
@Injectable()
export class IngesterLifecycler {
  readonly lifecycler: Lifecycler;

  constructor(
    @Inject(CONFIG) config: MyelinConfig,
    @Inject(RING_KV) kv: KVClient<RingDesc>,
    @Inject(CLOCK) clock: Clock,
    @Inject(LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.lifecycler = new Lifecycler(
      {
        id: instanceId(config),
        addr: instanceAddr(config),
        zone: config['ring.instance-zone'],
        numTokens: config['ring.num-tokens'],
        heartbeatPeriodMs: config['ring.heartbeat-period'],
        ringKey: INGESTER_RING_KEY,
      },
      kv,
      new FileTokensStore(tokensFilePath(config)),
      clock,
      logger,
    );
    const lc = this.lifecycler;
    new Gauge({
      name: 'myelin_ring_heartbeat_failures',
      help: 'Heartbeats of this instance into the ring that failed since it started.',
      registers: [registry],
      collect() {
        this.set(lc.heartbeatFailures);
      },
    });
    new Gauge({
      name: 'myelin_ring_instance_state',
      help: 'This instance\'s ring state: 1 for the current state.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.reset();
        this.set({ state: stateName(lc.state) }, 1);
      },
    });
  }

  start(): Promise<void> {
    return this.lifecycler.start();
  }

  stop(opts: { unregister?: boolean } = {}): Promise<void> {
    return this.lifecycler.stop(opts);
  }
}
