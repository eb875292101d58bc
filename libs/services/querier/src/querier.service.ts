import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { IngesterClientPool } from '@myelin/ingester-client';
import { CLOCK, type Clock, CONFIG, type MyelinConfig, TENANT_LIMITS, type TenantLimitsProvider } from '@myelin/platform';
import { QueryApi, type QueryLimits } from '@myelin/query-api';
import { IngesterRing } from '@myelin/ring-module';
import { BucketStore } from '@myelin/bucket-store';
import { bucketFromConfig } from '@myelin/object-store';
import { olderOnly, type Queryable, recentOnly } from '@myelin/storage';
import { ingesterChunks, type IngesterQueryables, ingesterQueryable, type IngesterSourceConfig } from './ingester-source';
import { mergedSources } from './merged-sources';

/** RPC timeout to ingesters when -querier.timeout is 0 (no query timeout). */
const DEFAULT_INGESTER_TIMEOUT_MS = 120_000;

/**
 * The querier's read path: the Prometheus API (QueryApi) over each tenant's data, with the
 * configured query limits. The data is the ingesters' (every ingester healthy for reads, asked for
 * the last -querier.query-ingesters-within) merged with the blocks in object storage (asked up to
 * now - -querier.query-store-after); where the two overlap, chunks and samples are de-duplicated
 * (mergedSources).
 */
@Injectable()
export class QuerierService implements OnModuleDestroy {
  readonly api: QueryApi;
  private readonly pool: IngesterClientPool;
  private readonly store: BucketStore;
  /** Chunk selects so far: rotates which ingesters a minimized read leaves out. */
  private reads = 0;

  constructor(
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ring: IngesterRing,
    @Inject(TENANT_LIMITS) private readonly tenantLimits: TenantLimitsProvider,
  ) {
    this.pool = new IngesterClientPool({
      timeoutMs: config['querier.timeout'] > 0 ? config['querier.timeout'] : DEFAULT_INGESTER_TIMEOUT_MS,
      connectionsPerIngester: config['ingester.client.connections-per-ingester'],
    });
    ring.watcher.onChange((r) => this.pool.prune(new Set(r.instances.map((i) => i.addr))));
    this.store = new BucketStore(bucketFromConfig(config), {
      syncIntervalMs: config['blocks-storage.bucket-store.sync-interval'],
      ignoreDeletionMarksDelayMs: config['blocks-storage.bucket-store.ignore-deletion-marks-delay'],
      maxOpenBlocks: config['blocks-storage.bucket-store.max-open-blocks'],
      now: () => clock.now(),
    });
    this.api = new QueryApi({ source: (tenant) => this.source(tenant), limits: (tenant) => this.limits(tenant), now: () => clock.now() });
  }

  /** The tenant's query limits: the -querier.* flags, overridden per tenant by the runtime configuration. */
  limits(tenant: string): QueryLimits {
    const l = this.tenantLimits.limits(tenant);
    return { timeoutMs: l.query_timeout, maxSamples: l.max_samples_per_query, maxSeries: l.max_fetched_series_per_query };
  }

  /** A tenant's data as one Queryable. */
  source(tenant: string): Queryable {
    const config: IngesterSourceConfig = {
      replicationFactor: this.config['distributor.replication-factor'],
      heartbeatTimeoutMs: this.config['ring.heartbeat-timeout'],
      zoneAwarenessEnabled: this.config['ring.zone-awareness-enabled'],
      queryIngestersWithinMs: this.config['querier.query-ingesters-within'],
      minimizeIngesterRequests: this.config['querier.minimize-ingester-requests'],
    };
    const ring = { instances: () => this.ring.watcher.ring().instances };
    // The tenant's own query timeout bounds each ingester call too (the pool's is the flag's).
    const timeout = this.limits(tenant).timeoutMs;
    const callTimeout = timeout > 0 ? timeout : undefined;
    const clients: IngesterQueryables = {
      queryable: (address, t) => this.pool.get(address).queryable(t, callTimeout),
      chunks: (address, t, mint, maxt, matchers, labels) => this.pool.get(address).queryChunks(t, mint, maxt, [...matchers], callTimeout, labels),
    };
    const now = () => this.clock.now();
    return mergedSources([
      {
        name: 'ingesters',
        within: recentOnly(now, config.queryIngestersWithinMs),
        chunks: ingesterChunks(tenant, ring, clients, config, now, () => this.reads++),
        queryable: ingesterQueryable(tenant, ring, clients, config, now),
      },
      {
        name: 'object storage',
        within: olderOnly(now, this.config['querier.query-store-after']),
        chunks: (mint, maxt, matchers) => this.store.selectChunks(tenant, mint, maxt, matchers),
        queryable: this.store.queryable(tenant),
      },
    ]);
  }

  onModuleDestroy(): void {
    this.pool.closeAll();
  }
}
