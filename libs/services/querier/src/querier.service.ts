import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { IngesterClientPool } from '@myelin/ingester-client';
import { CLOCK, type Clock, CONFIG, METRICS_REGISTRY, type MyelinConfig, TENANT_LIMITS, type TenantLimitsProvider } from '@myelin/platform';
import { QueryApi, type QueryLimits } from '@myelin/query-api';
import { IngesterRing } from '@myelin/ring-module';
import { BucketStore, type CacheStats } from '@myelin/bucket-store';
import { Counter, Gauge, type Registry } from 'prom-client';
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
    @Inject(METRICS_REGISTRY) registry: Registry,
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
      seriesCacheBytes: config['blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes'],
      chunksCacheBytes: config['blocks-storage.bucket-store.chunks-cache.backend'] === 'inmemory' ? config['blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes'] : 0,
      now: () => clock.now(),
    });
    registerCacheMetrics(registry, () => this.store.cacheStats());
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

/** The bucket store's caches as metrics, labelled cache="series" or "chunks", read when scraped. */
function registerCacheMetrics(registry: Registry, stats: () => { series?: CacheStats; chunks?: CacheStats }): void {
  const each = (f: (cache: string, s: CacheStats) => void) => {
    for (const [cache, s] of Object.entries(stats())) if (s) f(cache, s);
  };
  const counter = (name: string, help: string, of: (s: CacheStats) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['cache'],
      registers: [registry],
      collect() {
        this.reset();
        each((cache, s) => this.inc({ cache }, of(s)));
      },
    });
  const gauge = (name: string, help: string, of: (s: CacheStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['cache'],
      registers: [registry],
      collect() {
        each((cache, s) => this.set({ cache }, of(s)));
      },
    });
  counter('cortex_bucket_store_cache_requests_total', 'Lookups in the bucket store\'s in-memory caches.', (s) => s.requests);
  counter('cortex_bucket_store_cache_hits_total', 'Lookups answered by the bucket store\'s in-memory caches.', (s) => s.hits);
  gauge('cortex_bucket_store_cache_items', 'Items in the bucket store\'s in-memory caches.', (s) => s.items);
  gauge('cortex_bucket_store_cache_size_bytes', 'Bytes (estimated) held by the bucket store\'s in-memory caches.', (s) => s.bytes);
}
