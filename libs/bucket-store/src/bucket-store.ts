import type { Matcher } from '@myelin/model';
import { type Bucket, PrefixedBucket } from '@myelin/object-store';
import { IncompleteResultError, mergeSeries, type Querier, type Queryable, type Series, seriesSetOf, sortedUnion } from '@myelin/storage';
import { type BlockCaches, BlockReader, type CachedChunks, FormatError, LruCache, mergeChunkSeries, type SeriesChunks, type SeriesEntry } from '@myelin/tsdb-block';
import { type BlockRef, blocksFor, listBlocks, readBucketIndex } from './discovery';

export interface BucketStoreOptions {
  /** Re-discover a tenant's blocks when the view is older than this (-blocks-storage.bucket-store.sync-interval). */
  syncIntervalMs: number;
  /** Keep reading a block this long after its deletion mark (-blocks-storage.bucket-store.ignore-deletion-marks-delay). */
  ignoreDeletionMarksDelayMs: number;
  /** Most open blocks (index headers in memory) kept; the least recently used are dropped. */
  maxOpenBlocks: number;
  /** Bytes of parsed series entries kept (-blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes; 0: none). */
  seriesCacheBytes?: number;
  /** Bytes of chunks kept (-blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes when the chunks cache is on; 0: none). */
  chunksCacheBytes?: number;
  now(): number;
}

/** How a cache is doing, for metrics. */
export interface CacheStats {
  requests: number;
  hits: number;
  items: number;
  bytes: number;
}

interface TenantView {
  blocks: BlockRef[];
  syncedAt: number;
  /** A discovery under way, shared by concurrent queries. */
  pending?: Promise<BlockRef[]>;
}

/**
 * Blocks in object storage as a Queryable per tenant (Cortex's store-gateway role, inside the
 * querier): blocks discovered from the tenant's bucket index or by listing, only blocks
 * overlapping a query's range opened, each block's index header kept in memory (BlockReader)
 * and postings, series and chunks read by byte range. Replicas of a block from several
 * ingesters are merged chunk by chunk (identical chunks decoded once), so each sample is
 * returned once.
 */
export class BucketStore {
  private readonly tenants = new Map<string, TenantView>();
  /** Open blocks by "tenant/ulid", in least-recently-used order. */
  private readonly open = new Map<string, Promise<BlockReader>>();
  /** Shared by every open block (keys name the tenant and block). */
  private readonly caches: BlockCaches;

  constructor(
    private readonly bucket: Bucket,
    private readonly options: BucketStoreOptions,
  ) {
    this.caches = {
      series: options.seriesCacheBytes ? new LruCache<SeriesEntry>(options.seriesCacheBytes) : undefined,
      chunks: options.chunksCacheBytes ? new LruCache<CachedChunks>(options.chunksCacheBytes) : undefined,
    };
  }

  /** The series and chunks caches' counters (undefined for a cache that is off). */
  cacheStats(): { series?: CacheStats; chunks?: CacheStats } {
    const stats = (c: LruCache<unknown> | undefined) => c && { requests: c.hits + c.misses, hits: c.hits, items: c.size, bytes: c.bytes };
    return { series: stats(this.caches.series), chunks: stats(this.caches.chunks) };
  }

  queryable(tenant: string): Queryable {
    return { querier: (mint, maxt) => this.querier(tenant, mint, maxt) };
  }

  /**
   * The matching series' chunks overlapping [mint, maxt], still encoded, one list per block (a
   * caller merging them with other sources' chunks decodes identical chunks once).
   */
  async selectChunks(tenant: string, mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesChunks[][]> {
    const refs = await this.blocksOverlapping(tenant, mint, maxt);
    return this.chunksOf(tenant, refs, mint, maxt, matchers);
  }

  private async blocksOverlapping(tenant: string, mint: number, maxt: number): Promise<BlockRef[]> {
    return blocksFor(await this.wrap('discover blocks', () => this.blocks(tenant)), mint, maxt, this.options.now(), this.options.ignoreDeletionMarksDelayMs);
  }

  private chunksOf(tenant: string, refs: readonly BlockRef[], mint: number, maxt: number, matchers: readonly Matcher[]): Promise<SeriesChunks[][]> {
    return this.wrap('read blocks', async () => Promise.all((await this.readers(tenant, refs)).map((r) => r.selectChunks(matchers, mint, maxt))));
  }

  private readers(tenant: string, refs: readonly BlockRef[]): Promise<BlockReader[]> {
    return Promise.all(refs.map((b) => this.reader(tenant, b.ulid)));
  }

  /** The tenant's blocks as last discovered (discovering them when the view is stale). */
  async blocks(tenant: string): Promise<BlockRef[]> {
    const now = this.options.now();
    let view = this.tenants.get(tenant);
    if (view && now - view.syncedAt < this.options.syncIntervalMs) return view.blocks;
    if (!view) this.tenants.set(tenant, (view = { blocks: [], syncedAt: -Infinity }));
    const v = view;
    v.pending ??= this.discover(tenant, v.blocks).finally(() => (v.pending = undefined));
    v.blocks = await v.pending;
    v.syncedAt = now;
    return v.blocks;
  }

  private async discover(tenant: string, known: BlockRef[]): Promise<BlockRef[]> {
    const tenantBucket = new PrefixedBucket(this.bucket, tenant);
    return (await readBucketIndex(tenantBucket)) ?? listBlocks(tenantBucket, new Map(known.map((b) => [b.ulid, b])));
  }

  private async querier(tenant: string, mint: number, maxt: number): Promise<Querier> {
    const refs = await this.blocksOverlapping(tenant, mint, maxt);
    const readers = () => this.readers(tenant, refs);
    // Chunks stay encoded until replicas are merged: identical replica chunks are decoded once.
    const selectAll = async (matchers: readonly Matcher[]): Promise<Series[]> => mergeChunkSeries(await this.chunksOf(tenant, refs, mint, maxt, matchers), mint, maxt);
    const labelsOnly = async (matchers: readonly Matcher[]): Promise<Series[]> => {
      const lists = await Promise.all((await readers()).map((r) => r.selectLabels(matchers, mint, maxt)));
      const none = new Float64Array(0);
      return mergeSeries(lists.map((list) => list.map((labels) => ({ labels, timestamps: none, values: none }))));
    };
    return {
      select: async (matchers, hints) => seriesSetOf(await this.wrap('read blocks', () => (hints?.seriesOnly ? labelsOnly(matchers) : selectAll(matchers)))),
      labelNames: async (matchers) =>
        this.wrap('read blocks', async () => {
          if (matchers && matchers.length > 0) return sortedUnion((await labelsOnly(matchers)).map((s) => s.labels.map((l) => l.name)));
          return sortedUnion((await readers()).map((r) => r.labelNames()));
        }),
      labelValues: async (name, matchers) =>
        this.wrap('read blocks', async () => {
          if (matchers && matchers.length > 0) return sortedUnion((await labelsOnly(matchers)).map((s) => s.labels.filter((l) => l.name === name).map((l) => l.value)));
          return sortedUnion((await readers()).map((r) => r.labelValues(name)));
        }),
      close: async () => undefined,
    };
  }

  /** An open block, from the cache or opened now (meta.json and the index header read once). */
  private reader(tenant: string, ulid: string): Promise<BlockReader> {
    const key = `${tenant}/${ulid}`;
    let r = this.open.get(key);
    if (r) this.open.delete(key);
    else {
      const opening = BlockReader.open(new PrefixedBucket(new PrefixedBucket(this.bucket, tenant), ulid), ulid, { caches: this.caches, cacheKey: key });
      // A block that failed to open is tried again next time (unless a newer attempt replaced it).
      opening.catch(() => this.open.get(key) === opening && this.open.delete(key));
      r = opening;
    }
    this.open.set(key, r);
    while (this.open.size > this.options.maxOpenBlocks) this.open.delete(this.open.keys().next().value as string);
    return r;
  }

  /**
   * Storage failures make the answer incomplete: reported as such (503, retry may help), naming
   * the bucket. A corrupt block (FormatError) is not retryable and stays what it is (500).
   */
  private async wrap<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (e) {
      if (e instanceof FormatError || e instanceof IncompleteResultError) throw e; // already says what it is
      throw new IncompleteResultError(`cannot ${what} in ${this.bucket.name}: ${(e as Error).message}`);
    }
  }
}

