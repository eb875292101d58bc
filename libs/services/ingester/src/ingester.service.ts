import { Inject, Injectable } from '@nestjs/common';
import { CodecError, decodeQueryRequest, decodeSeriesBatch, encodeChunksArrow, encodeSeriesArrow, encodeStrings, NOT_WRITABLE, type PushBatch } from '@myelin/ingester-client';
import type { Labels } from '@myelin/model';
import { bucketFromConfig } from '@myelin/object-store';
import { CLOCK, type Clock, CONFIG, LOGGER, type Logger, METRICS_REGISTRY, type MyelinConfig, sharedCounter } from '@myelin/platform';
import { InstanceState, stateName, Write } from '@myelin/ring';
import { IngesterRing } from '@myelin/ring-module';
import { rpcError } from '@myelin/rpc';
import { Shipper } from '@myelin/shipper';
import { collectSeries } from '@myelin/storage';
import { IngesterDB, type LocalBlock } from '@myelin/tsdb-db';
import type { AppendBatch } from '@myelin/tsdb-head';
import { Counter, Gauge, type Registry } from 'prom-client';
import { IngesterLifecycler } from './ingester-lifecycler';

/**
 * A tenant's series limit in one ingester (0: none): the local limit, or the global limit split
 * over the Write-healthy (ACTIVE) ingesters and multiplied by the replication factor, whichever is
 * lower, as Cortex computes it.
 */
export function localSeriesLimit(local: number, global: number, activeIngesters: number, replicationFactor: number): number {
  if (global <= 0 || activeIngesters === 0) return local;
  const share = Math.floor((global / activeIngesters) * replicationFactor);
  return local > 0 ? Math.min(local, share) : share;
}

/** One local block as /ingester/blocks reports it. */
export interface BlockStatus {
  ulid: string;
  minTime: number;
  maxTime: number;
  series: number;
  samples: number;
  sizeBytes: number;
  shipped: boolean;
  shippedAt: number | null;
}

export interface TenantStatus {
  tenant: string;
  blocks: BlockStatus[];
  /** Samples in memory, not in any block yet. */
  head: { minTime: number | null; maxTime: number | null; samples: number; series: number };
}

/**
 * The ingester's data path over IngesterDB (head, WAL, local blocks) and the Shipper. A push is
 * appended to the head and the WAL and only then acknowledged, so kill -9 loses no acknowledged
 * sample; a restart replays the WAL before the instance rejoins the ring. Blocks are cut every
 * block range, when idle, on flush and on shutdown; the shipper uploads them, retrying until
 * object storage takes them; local blocks go once shipped and older than the retention. A
 * READONLY or stopping ingester refuses pushes with a retryable error so the distributor sends
 * them to the next owner (ring-and-readonly.md).
 */
@Injectable()
export class IngesterService {
  private db: IngesterDB | undefined;
  private shipper: Shipper | undefined;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private shipFailures = 0;
  private nextShipAt = 0;
  private shipping: Promise<unknown> = Promise.resolve();
  private readonly ingested: Counter;
  private readonly discarded: Counter<'reason' | 'user'>;

  constructor(
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly lifecycler: IngesterLifecycler,
    private readonly ring: IngesterRing,
  ) {
    this.ingested = new Counter({ name: 'cortex_ingester_ingested_samples_total', help: 'Samples ingested.', registers: [registry] });
    this.discarded = sharedCounter(registry, { name: 'cortex_discarded_samples_total', help: 'Samples refused, by reason and tenant.', labelNames: ['reason', 'user'] });
    const memorySeries = () => {
      const head = this.db?.head;
      return head ? head.tenantIds().reduce((n, t) => n + head.tenant(t).numSeries, 0) : 0;
    };
    const shipFailures = () => this.shipFailures;
    new Gauge({
      name: 'cortex_ingester_memory_series',
      help: 'Series in memory.',
      registers: [registry],
      collect() {
        this.set(memorySeries());
      },
    });
    new Gauge({
      name: 'cortex_ingester_shipper_upload_failures',
      help: 'Consecutive failed shipping rounds (0 once object storage takes the blocks).',
      registers: [registry],
      collect() {
        this.set(shipFailures());
      },
    });
  }

  /** Opens local blocks, replays the WAL, joins the ring, and starts cutting and shipping. */
  async start(): Promise<void> {
    const dir = this.config['blocks-storage.tsdb.dir'];
    this.db = await IngesterDB.open({
      dir,
      walSegmentSize: this.config['blocks-storage.tsdb.wal-segment-size-bytes'],
      walFsync: this.config['blocks-storage.tsdb.wal-fsync'],
      blockRangeMs: this.config['blocks-storage.tsdb.block-ranges-period'],
      idleTimeoutMs: this.config['blocks-storage.tsdb.head-compaction-idle-timeout'],
      ingesterId: this.lifecycler.lifecycler.id,
      logger: this.logger,
      clock: this.clock,
    });
    if (this.config['blocks-storage.tsdb.ship-interval'] > 0) this.shipper = new Shipper(bucketFromConfig(this.config), dir, this.logger, this.clock);
    await this.lifecycler.start();
    this.every(this.config['blocks-storage.tsdb.head-compaction-interval'], () => this.compactAndShip());
    if (this.shipper) this.every(Math.min(1000, this.config['blocks-storage.tsdb.ship-interval']), () => this.shipIfDue());
  }

  private every(ms: number, fn: () => Promise<unknown>): void {
    let running = false;
    const t = setInterval(() => {
      if (running || this.stopping) return;
      running = true;
      fn()
        .catch((e) => this.logger.error({ err: (e as Error).message }, 'background ingester task failed'))
        .finally(() => (running = false));
    }, ms);
    t.unref();
    this.timers.push(t);
  }

  private async compactAndShip(): Promise<void> {
    const cut = await this.db!.compact();
    if (cut.length > 0) this.nextShipAt = 0;
    await this.applyRetention();
  }

  /** Ships when due: every ship interval, sooner after a cut, backing off while uploads fail. */
  private async shipIfDue(): Promise<void> {
    if (this.clock.now() < this.nextShipAt) return;
    await this.ship();
  }

  private ship(): Promise<{ uploaded: string[]; failed: number }> {
    const run = this.shipping.then(async () => {
      if (!this.shipper || !this.db) return { uploaded: [], failed: 0 };
      const result = await this.shipper.sync(this.db.localBlocks());
      const interval = this.config['blocks-storage.tsdb.ship-interval'];
      if (result.failed > 0) {
        this.shipFailures++;
        this.nextShipAt = this.clock.now() + Math.min(interval, 500 * 2 ** Math.min(this.shipFailures, 10));
      } else {
        this.shipFailures = 0;
        this.nextShipAt = this.clock.now() + interval;
      }
      return result;
    });
    this.shipping = run.catch(() => undefined);
    return run;
  }

  /** Deletes local blocks older than the retention period, once shipped (or when nothing ships). */
  private async applyRetention(): Promise<void> {
    const horizon = this.clock.now() - this.config['blocks-storage.tsdb.retention-period'];
    const shipped = new Set<string>();
    for (const b of this.db!.localBlocks()) if (!this.shipper || (await this.shipper.isShipped(b.tenant, b.ulid))) shipped.add(b.ulid);
    const removed = await this.db!.removeBlocks((b) => b.meta.maxTime < horizon && shipped.has(b.ulid));
    for (const b of removed) {
      this.logger.info({ tenant: b.tenant, ulid: b.ulid }, 'local block removed after retention');
      await this.shipper?.forget(b.tenant, [b.ulid]);
    }
  }

  /** Cuts the head of the tenants (all when empty) into blocks and ships them. */
  async flush(tenants: string[] = []): Promise<{ cut: LocalBlock[]; uploaded: string[]; failed: number }> {
    const cut = await this.db!.flush(tenants.length > 0 ? tenants : undefined);
    const shipped = this.shipper ? await this.ship() : { uploaded: [], failed: 0 };
    return { cut, ...shipped };
  }

  /** Stops timers, leaves the ring (stays if READONLY, unless `unregister`), flushes on request, closes the WAL. */
  async stop(opts: { flush?: boolean; unregister?: boolean } = {}): Promise<void> {
    if (this.stopping) return;
    if (opts.flush && this.db) await this.flush().catch((e) => this.logger.error({ err: (e as Error).message }, 'flush on shutdown failed'));
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    await this.lifecycler.stop({ unregister: opts.unregister });
    await this.shipping;
    await this.db?.close();
  }

  readinessProblem(): string | undefined {
    if (!this.db) return 'replaying the WAL';
    return this.lifecycler.lifecycler.readinessProblem();
  }

  /** A push over the RPC: the encoded series batch. */
  async push(payload: Buffer): Promise<Buffer[]> {
    this.assertWritable();
    let batch;
    try {
      batch = decodeSeriesBatch(payload);
    } catch (e) {
      if (e instanceof CodecError) throw rpcError(400, `bad push: ${e.message}`);
      throw e;
    }
    await this.pushBatch(batch);
    return [];
  }

  private assertWritable(): void {
    const id = this.lifecycler.lifecycler.id;
    if (this.stopping || !this.db) throw rpcError(503, `${NOT_WRITABLE}: ingester ${id} is ${this.stopping ? 'stopping' : 'starting'}`);
    const state = this.lifecycler.lifecycler.state;
    if (state !== InstanceState.ACTIVE) throw rpcError(503, `${NOT_WRITABLE}: ingester ${id} is ${stateName(state)} and takes no writes`);
  }

  /** Appends a push (from the RPC, or from a distributor in this process); throws rpcError on refusal. */
  async pushBatch(batch: PushBatch): Promise<void> {
    this.assertWritable();
    const input: AppendBatch = {
      seriesCount: batch.seriesCount,
      keyOf: (i) => batch.keyOf(i),
      labelsOf: (i) => batch.labelsOf(i),
      offsets: batch.offsets,
      timestamps: batch.timestamps,
      values: batch.values,
    };
    let out;
    try {
      out = await this.db!.append(batch.tenant, input, { maxSeries: this.localSeriesLimit() });
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'WAL write failed');
      throw rpcError(500, `ingester ${this.lifecycler.lifecycler.id}: WAL write failed: ${(e as Error).message}`);
    }
    this.ingested.inc(out.appended);
    for (const [reason, n] of Object.entries(out.rejected)) if (n > 0) this.discarded.inc({ reason, user: batch.tenant }, n);
    if (out.firstError) throw rpcError(400, `user=${batch.tenant}: ${out.firstError}`);
  }

  /**
   * The series limit of a tenant in this ingester: -ingester.max-series-per-user, or the global
   * limit split over the Write-healthy (ACTIVE) ingesters times the replication factor, if lower.
   */
  localSeriesLimit(): number {
    return localSeriesLimit(
      this.config['ingester.max-series-per-user'],
      this.config['ingester.max-global-series-per-user'],
      this.ring.watcher.ring().healthyInstancesCount(Write, this.clock.now()),
      this.config['distributor.replication-factor'],
    );
  }

  /** Answers with an Arrow IPC stream (docs/format/ingester-rpc.md). */
  async query(payload: Buffer): Promise<Buffer[]> {
    const q = this.decodeQuery(payload);
    const querier = await this.queryable(q.tenant).querier(q.mint, q.maxt);
    const series = await collectSeries(await querier.select(q.matchers));
    const limited = q.limit > 0 ? series.slice(0, q.limit) : series;
    const labels: Labels[] = limited.map((s) => s.labels);
    const offsets = new Int32Array(limited.length + 1);
    let total = 0;
    limited.forEach((s, i) => (offsets[i + 1] = total += s.timestamps.length));
    const t = new Float64Array(total);
    const v = new Float64Array(total);
    limited.forEach((s, i) => {
      t.set(s.timestamps, offsets[i]);
      v.set(s.values, offsets[i]);
    });
    const arrow = encodeSeriesArrow(labels, offsets, t, v);
    return [Buffer.from(arrow.buffer, arrow.byteOffset, arrow.byteLength)];
  }

  /** Answers with the matching series' chunks, still encoded, as an Arrow IPC stream (docs/format/ingester-rpc.md). */
  async queryChunks(payload: Buffer): Promise<Buffer[]> {
    const q = this.decodeQuery(payload);
    if (!this.db) throw rpcError(503, 'ingester is starting');
    const arrow = encodeChunksArrow(await this.db.selectChunks(q.tenant, q.matchers, q.mint, q.maxt));
    return [Buffer.from(arrow.buffer, arrow.byteOffset, arrow.byteLength)];
  }

  async labelNames(payload: Buffer): Promise<Buffer> {
    const q = this.decodeQuery(payload);
    return encodeStrings(await (await this.queryable(q.tenant).querier(q.mint, q.maxt)).labelNames(q.matchers));
  }

  async labelValues(payload: Buffer): Promise<Buffer> {
    const q = this.decodeQuery(payload);
    return encodeStrings(await (await this.queryable(q.tenant).querier(q.mint, q.maxt)).labelValues(q.labelName, q.matchers));
  }

  private queryable(tenant: string) {
    if (!this.db) throw rpcError(503, 'ingester is starting');
    return this.db.queryable(tenant);
  }

  /** What is held locally, per tenant: blocks (shipped or not) and the head's unflushed samples. */
  async status(): Promise<{ tenants: TenantStatus[]; allInObjectStorage: boolean; unshippedBlocks: number; unflushedSamples: number }> {
    const db = this.db;
    if (!db) return { tenants: [], allInObjectStorage: false, unshippedBlocks: 0, unflushedSamples: 0 };
    const tenants: TenantStatus[] = [];
    let unshipped = 0;
    let unflushed = 0;
    for (const tenant of db.tenants()) {
      const blocks: BlockStatus[] = [];
      for (const b of db.localBlocks(tenant)) {
        const shipped = this.shipper ? await this.shipper.isShipped(tenant, b.ulid) : false;
        if (!shipped) unshipped++;
        blocks.push({
          ulid: b.ulid,
          minTime: b.meta.minTime,
          maxTime: b.meta.maxTime,
          series: b.meta.stats.numSeries,
          samples: b.meta.stats.numSamples,
          sizeBytes: b.sizeBytes,
          shipped,
          shippedAt: (await this.shipper?.shippedAt(tenant, b.ulid)) ?? null,
        });
      }
      const head = db.head.existingTenant(tenant);
      const samples = head?.numSamples ?? 0;
      unflushed += samples;
      tenants.push({
        tenant,
        blocks,
        head: { minTime: samples > 0 ? head!.minTime : null, maxTime: samples > 0 ? head!.maxTime : null, samples, series: head?.numSeries ?? 0 },
      });
    }
    return { tenants, allInObjectStorage: unshipped === 0 && unflushed === 0, unshippedBlocks: unshipped, unflushedSamples: unflushed };
  }

  private decodeQuery(payload: Buffer) {
    try {
      return decodeQueryRequest(payload);
    } catch (e) {
      throw rpcError(400, `bad query: ${(e as Error).message}`);
    }
  }
}
