import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { encodeSeriesBatchFromKeys, IngesterClientPool, LOCAL_INGESTER, type LocalIngester, localPushBatchFromKeys, NOT_WRITABLE } from '@myelin/ingester-client';
import { CLOCK, type Clock, CONFIG, LOGGER, type Logger, METRICS_REGISTRY, type MyelinConfig, sharedCounter, TENANT_LIMITS, type TenantLimitsProvider } from '@myelin/platform';
import { RateLimiter } from '@myelin/remote-write';
import { type KeyedWrite, PrepareWorkers } from './prepare-workers';
import { BatchTracker, type BatchOutcome, type InstanceFailure, planBatch, ReplicationError, type Ring, Write } from '@myelin/ring';
import { IngesterRing } from '@myelin/ring-module';
import { RpcCallError } from '@myelin/rpc';
import type { Counter, Registry } from 'prom-client';

/** The part of the ingester client pool the distributor uses (a fake stands in for it in unit tests). */
export interface IngesterPushPool {
  get(address: string): { push(batch: readonly Buffer[]): Promise<void> };
  prune(live: ReadonlySet<string>): void;
  closeAll(): void;
}

export const INGESTER_POOL = Symbol('myelin.ingester-pool');

/** The pool of RPC clients to ingesters, as configured. */
export function createIngesterPool(config: MyelinConfig): IngesterPushPool {
  return new IngesterClientPool({ timeoutMs: config['distributor.remote-timeout'], connectionsPerIngester: config['ingester.client.connections-per-ingester'] });
}

/** What the HTTP layer answers for one push. */
export interface PushResult {
  status: number;
  message?: string;
  samplesWritten: number;
  exemplarsWritten: number;
}

/**
 * The distributor's write path: prepare a remote-write body (decode, validate, key; in worker
 * threads, see PrepareWorkers), apply the tenant's rate limit, spread its series over the
 * ingesters by the ring (Write operation, replication factor, quorum per series), and answer as
 * Prometheus senders expect: 4xx only for bad data (never retried), 429 for limits, 5xx for
 * anything that may work later.
 */
@Injectable()
export class DistributorService implements OnModuleDestroy {
  private readonly preparer: PrepareWorkers;
  private readonly limiter: RateLimiter;
  private readonly received: Counter<'user'>;
  private readonly discarded: Counter<'reason' | 'user'>;

  constructor(
    @Inject(CONFIG) config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ring: IngesterRing,
    @Inject(INGESTER_POOL) private readonly pool: IngesterPushPool,
    @Inject(TENANT_LIMITS) private readonly tenantLimits: TenantLimitsProvider,
    /** The ingester in this process, if any (-target=all): reached by a call, not the RPC. */
    @Optional() @Inject(LOCAL_INGESTER) private readonly local?: LocalIngester,
  ) {
    this.limiter = new RateLimiter(clock);
    this.preparer = new PrepareWorkers(
      {
        limits: {
          maxLabelNamesPerSeries: config['validation.max-label-names-per-series'],
          maxLabelNameLength: config['validation.max-length-label-name'],
          maxLabelValueLength: config['validation.max-length-label-value'],
          rejectOldSamples: config['validation.reject-old-samples'],
          rejectOldSamplesMaxAgeMs: config['validation.reject-old-samples-max-age'],
          creationGracePeriodMs: config['validation.create-grace-period'],
        },
        shardByAllLabels: config['distributor.shard-by-all-labels'],
        maxMessageSize: config['distributor.max-recv-msg-size'],
      },
      config['distributor.decode-workers'],
    );
    logger.info({ threads: this.preparer.threads }, 'remote-write decoding threads');
    this.received = sharedCounter(registry, { name: 'cortex_distributor_received_samples_total', help: 'Samples received, by tenant.', labelNames: ['user'] });
    this.discarded = sharedCounter(registry, { name: 'cortex_discarded_samples_total', help: 'Samples refused, by reason and tenant.', labelNames: ['reason', 'user'] });
    ring.watcher.onChange((r) => this.pool.prune(new Set(r.instances.map((i) => i.addr))));
  }

  async onModuleDestroy(): Promise<void> {
    this.pool.closeAll();
    await this.preparer.close();
  }

  /** A push as it arrived (snappy-compressed protobuf). Rejects with DecodeError for a bad body. */
  async push(tenant: string, version: 1 | 2, body: Uint8Array): Promise<PushResult> {
    const w = await this.preparer.prepare(body, version, tenant, this.clock.now());
    this.received.inc({ user: tenant }, w.received);
    if (w.discardedInvalidLabels > 0) this.discarded.inc({ reason: 'invalid_labels', user: tenant }, w.discardedInvalidLabels);
    if (w.discardedInvalidTimestamps > 0) this.discarded.inc({ reason: 'invalid_timestamp', user: tenant }, w.discardedInvalidTimestamps);
    if (w.samples === 0) return this.finalResult(w, 0);
    const limits = this.tenantLimits.limits(tenant);
    const rate = limits.ingestion_rate;
    if (!this.limiter.allow(tenant, w.samples, rate, limits.ingestion_burst_size)) {
      this.discarded.inc({ reason: 'rate_limited', user: tenant }, w.samples);
      return { status: 429, message: `ingestion rate limit (${rate} samples/s) exceeded while adding ${w.samples} samples for tenant ${tenant}`, samplesWritten: 0, exemplarsWritten: 0 };
    }
    const outcome = await this.send(tenant, w);
    if (!outcome.ok) {
      const status = outcome.failure.status >= 400 && outcome.failure.status < 500 ? 400 : outcome.failure.status >= 500 && outcome.failure.status < 600 ? outcome.failure.status : 500;
      return { status, message: outcome.failure.message, samplesWritten: 0, exemplarsWritten: 0 };
    }
    return this.finalResult(w, w.samples);
  }

  private finalResult(w: KeyedWrite, written: number): PushResult {
    const exemplarsWritten = written > 0 || w.received === 0 ? w.exemplarCount : 0;
    if (w.firstError) return { status: 400, message: w.firstError, samplesWritten: written, exemplarsWritten };
    if (w.histogramCount > 0) {
      return { status: 400, message: `native histograms are not supported yet: ${w.histogramCount} histogram samples refused (float samples were written)`, samplesWritten: written, exemplarsWritten };
    }
    return { status: 204, samplesWritten: written, exemplarsWritten };
  }

  /** Sends every series to its replicas and resolves once the outcome is decided. */
  private send(tenant: string, w: KeyedWrite): Promise<BatchOutcome> {
    const ring = this.ring.watcher.ring();
    const now = this.clock.now();
    let plan;
    try {
      plan = planBatch(ring, w.hashes, Write, now);
    } catch (e) {
      if (e instanceof ReplicationError) return Promise.resolve({ ok: false, failure: { status: 503, message: e.message } });
      throw e;
    }
    const tracker = new BatchTracker(plan);
    if (tracker.result) return Promise.resolve(tracker.result);
    return new Promise<BatchOutcome>((resolve) => {
      const decide = (o: BatchOutcome | undefined) => o && resolve(o);
      plan.instances.forEach((inst, slot) => {
        const series = plan.seriesByInstance[slot];
        this.pushTo(inst.addr, tenant, w, series).then(
          () => decide(tracker.record(slot)),
          (err) => {
            const failure = toFailure(err, inst.addr);
            if (failure.status === 503 && failure.message.includes(NOT_WRITABLE)) {
              void this.resend(tenant, w, series, ring, tracker).then(decide);
            } else {
              decide(tracker.record(slot, failure));
            }
          },
        );
      });
    });
  }

  /** Sends the series `pick` to one ingester: by call if it is this process's, else by RPC. */
  private pushTo(addr: string, tenant: string, w: KeyedWrite, pick: Int32Array): Promise<void> {
    if (this.local && this.local.address === addr) return this.local.push(localPushBatchFromKeys(tenant, w.keys, w.offsets, w.timestamps, w.values, pick));
    return this.pool.get(addr).push(encodeSeriesBatchFromKeys(tenant, w.keys, w.offsets, w.timestamps, w.values, pick));
  }

  /**
   * An ingester refused as READONLY/leaving: re-read the ring and send each of its series to the
   * instance that now completes the series' replica set (one not asked before). The ring may take
   * a moment to show the new state, so this retries a few times.
   */
  private async resend(tenant: string, w: KeyedWrite, series: Int32Array, oldRing: Ring, tracker: BatchTracker): Promise<BatchOutcome | undefined> {
    let pending = Array.from(series);
    for (let attempt = 0; attempt < 6 && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * attempt));
      const ring = await this.ring.watcher.refresh().catch(() => this.ring.watcher.ring());
      const now = this.clock.now();
      const groups = new Map<string, number[]>();
      const left: number[] = [];
      for (const pos of pending) {
        const asked = new Set(safeInstances(oldRing, w.hashes[pos], now).map((i) => i.id));
        const target = safeInstances(ring, w.hashes[pos], now).find((i) => !asked.has(i.id));
        if (!target) left.push(pos);
        else groups.set(target.addr, [...(groups.get(target.addr) ?? []), pos]);
      }
      const results = await Promise.all(
        [...groups].map(async ([addr, positions]) => {
          const idx = Int32Array.from(positions);
          try {
            await this.pushTo(addr, tenant, w, idx);
            return tracker.recordSeries(idx);
          } catch (err) {
            return tracker.recordSeries(idx, toFailure(err, addr));
          }
        }),
      );
      const decided = results.find((r) => r !== undefined);
      if (decided) return decided;
      pending = left;
    }
    if (pending.length === 0) return tracker.result;
    this.logger.warn({ series: pending.length }, 'no replacement found for a READONLY ingester\'s series');
    return tracker.recordSeries(Int32Array.from(pending), { status: 503, message: `${NOT_WRITABLE}: no other ingester found for ${pending.length} series yet` });
  }
}

function safeInstances(ring: Ring, key: number, now: number) {
  try {
    return ring.get(key, Write, now).instances;
  } catch {
    return [];
  }
}

function toFailure(err: unknown, addr: string): InstanceFailure {
  if (err instanceof RpcCallError) return { status: err.status, message: err.message };
  return { status: 500, message: `push to ${addr} failed: ${(err as Error).message}` };
}
