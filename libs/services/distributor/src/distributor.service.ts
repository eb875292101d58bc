import { Inject, Injectable, type OnModuleDestroy, Optional } from '@nestjs/common';
import { encodeSeriesBatch, IngesterClientPool, LOCAL_INGESTER, type LocalIngester, localPushBatch, NOT_WRITABLE } from '@myelin/ingester-client';
import { getLabel, type Labels, METRIC_NAME } from '@myelin/model';
import { CLOCK, type Clock, CONFIG, LOGGER, type Logger, METRICS_REGISTRY, type MyelinConfig, sharedCounter } from '@myelin/platform';
import { type DecodedWrite, LabelsCache, RateLimiter, validateLabels, validateTimestamp, type ValidationLimits } from '@myelin/remote-write';
import { BatchTracker, type BatchOutcome, FNV32_OFFSET, fnv1Add32, type InstanceFailure, planBatch, ReplicationError, type Ring, shardByAllLabels, Write } from '@myelin/ring';
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
}

/** The valid part of a push, columnar, after validation dropped what broke a rule. */
interface ValidWrite {
  labels: Labels[];
  offsets: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  samples: number;
  firstError: string | undefined;
}

/**
 * The distributor's write path: validate a decoded remote-write request, apply the tenant's rate
 * limit, spread its series over the ingesters by the ring (Write operation, replication factor,
 * quorum per series), and answer as Prometheus senders expect: 4xx only for bad data (never
 * retried), 429 for limits, 5xx for anything that may work later.
 */
@Injectable()
export class DistributorService implements OnModuleDestroy {
  readonly labelsCache = new LabelsCache();
  /**
   * Per label set (the objects LabelsCache hands out again for known series): its validation
   * result and metric name, so a known series costs neither again.
   */
  private readonly seriesInfo = new WeakMap<Labels, { error: string | undefined; metricName: string }>();
  private readonly limiter: RateLimiter;
  private readonly received: Counter<'user'>;
  private readonly discarded: Counter<'reason' | 'user'>;
  private readonly limits: ValidationLimits;

  constructor(
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly ring: IngesterRing,
    @Inject(INGESTER_POOL) private readonly pool: IngesterPushPool,
    /** The ingester in this process, if any (-target=all): reached by a call, not the RPC. */
    @Optional() @Inject(LOCAL_INGESTER) private readonly local?: LocalIngester,
  ) {
    this.limiter = new RateLimiter(clock);
    this.limits = {
      maxLabelNamesPerSeries: config['validation.max-label-names-per-series'],
      maxLabelNameLength: config['validation.max-length-label-name'],
      maxLabelValueLength: config['validation.max-length-label-value'],
      rejectOldSamples: config['validation.reject-old-samples'],
      rejectOldSamplesMaxAgeMs: config['validation.reject-old-samples-max-age'],
      creationGracePeriodMs: config['validation.create-grace-period'],
    };
    this.received = sharedCounter(registry, { name: 'cortex_distributor_received_samples_total', help: 'Samples received, by tenant.', labelNames: ['user'] });
    this.discarded = sharedCounter(registry, { name: 'cortex_discarded_samples_total', help: 'Samples refused, by reason and tenant.', labelNames: ['reason', 'user'] });
    ring.watcher.onChange((r) => this.pool.prune(new Set(r.instances.map((i) => i.addr))));
  }

  onModuleDestroy(): void {
    this.pool.closeAll();
  }

  async push(tenant: string, write: DecodedWrite): Promise<PushResult> {
    this.received.inc({ user: tenant }, write.sampleCount);
    const valid = this.validate(tenant, write);
    if (valid.samples === 0) {
      return valid.firstError ? { status: 400, message: valid.firstError, samplesWritten: 0 } : this.finalResult(write, 0, undefined);
    }
    const rate = this.config['distributor.ingestion-rate-limit'];
    if (!this.limiter.allow(tenant, valid.samples, rate, this.config['distributor.ingestion-burst-size'])) {
      this.discarded.inc({ reason: 'rate_limited', user: tenant }, valid.samples);
      return { status: 429, message: `ingestion rate limit (${rate} samples/s) exceeded while adding ${valid.samples} samples for tenant ${tenant}`, samplesWritten: 0 };
    }
    const outcome = await this.send(tenant, valid);
    if (!outcome.ok) {
      const status = outcome.failure.status >= 400 && outcome.failure.status < 500 ? 400 : outcome.failure.status >= 500 && outcome.failure.status < 600 ? outcome.failure.status : 500;
      return { status, message: outcome.failure.message, samplesWritten: 0 };
    }
    return this.finalResult(write, valid.samples, valid.firstError);
  }

  private finalResult(write: DecodedWrite, written: number, firstError: string | undefined): PushResult {
    if (firstError) return { status: 400, message: firstError, samplesWritten: written };
    if (write.histogramCount > 0) {
      return { status: 400, message: `native histograms are not supported yet: ${write.histogramCount} histogram samples refused (float samples were written)`, samplesWritten: written };
    }
    return { status: 204, samplesWritten: written };
  }

  /** Drops series and samples that break a validation rule, keeping the first error to report. */
  private validate(tenant: string, write: DecodedWrite): ValidWrite {
    const now = this.clock.now();
    let firstError: string | undefined;
    let needsCopy = false;
    const keepSeries = new Uint8Array(write.seriesCount);
    let keepSamples: Uint8Array | undefined;
    let samples = 0;
    for (let s = 0; s < write.seriesCount; s++) {
      const labels = write.labels[s];
      const from = write.offsets[s];
      const to = write.offsets[s + 1];
      const err = this.infoOf(labels).error;
      if (err) {
        firstError ??= err;
        needsCopy = true;
        this.discarded.inc({ reason: 'invalid_labels', user: tenant }, to - from);
        continue;
      }
      keepSeries[s] = 1;
      for (let i = from; i < to; i++) {
        const terr = validateTimestamp(write.timestamps[i], now, labels, this.limits);
        if (terr) {
          firstError ??= terr;
          needsCopy = true;
          keepSamples ??= new Uint8Array(write.sampleCount).fill(1);
          keepSamples[i] = 0;
          this.discarded.inc({ reason: 'invalid_timestamp', user: tenant });
        } else samples++;
      }
    }
    if (!needsCopy) return { labels: write.labels, offsets: write.offsets, timestamps: write.timestamps, values: write.values, samples, firstError };
    const labels: Labels[] = [];
    const offsets = [0];
    const t = new Float64Array(samples);
    const v = new Float64Array(samples);
    let at = 0;
    for (let s = 0; s < write.seriesCount; s++) {
      if (!keepSeries[s]) continue;
      const start = at;
      for (let i = write.offsets[s]; i < write.offsets[s + 1]; i++) {
        if (keepSamples && !keepSamples[i]) continue;
        t[at] = write.timestamps[i];
        v[at] = write.values[i];
        at++;
      }
      if (at > start) {
        labels.push(write.labels[s]);
        offsets.push(at);
      }
    }
    return { labels, offsets: Int32Array.from(offsets), timestamps: t, values: v, samples, firstError };
  }

  private infoOf(labels: Labels): { error: string | undefined; metricName: string } {
    let info = this.seriesInfo.get(labels);
    if (!info) this.seriesInfo.set(labels, (info = { error: validateLabels(labels, this.limits), metricName: getLabel(labels, METRIC_NAME) ?? '' }));
    return info;
  }

  /** Sends every series to its replicas and resolves once the outcome is decided. */
  private send(tenant: string, w: ValidWrite): Promise<BatchOutcome> {
    const keys = new Uint32Array(w.labels.length);
    if (this.config['distributor.shard-by-all-labels']) {
      for (let s = 0; s < w.labels.length; s++) keys[s] = shardByAllLabels(tenant, w.labels[s]);
    } else {
      // shardByMetricName, with the tenant's part of the hash computed once per push.
      const tenantHash = fnv1Add32(FNV32_OFFSET, tenant);
      for (let s = 0; s < w.labels.length; s++) keys[s] = fnv1Add32(tenantHash, this.infoOf(w.labels[s]).metricName);
    }
    const ring = this.ring.watcher.ring();
    const now = this.clock.now();
    let plan;
    try {
      plan = planBatch(ring, keys, Write, now);
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
                void this.resend(tenant, w, keys, series, ring, tracker).then(decide);
              } else {
                decide(tracker.record(slot, failure));
              }
            },
          );
      });
    });
  }

  /** Sends the series `pick` to one ingester: by call if it is this process's, else by RPC. */
  private pushTo(addr: string, tenant: string, w: ValidWrite, pick: Int32Array): Promise<void> {
    if (this.local && this.local.address === addr) return this.local.push(localPushBatch(tenant, w.labels, w.offsets, w.timestamps, w.values, pick));
    return this.pool.get(addr).push(encodeSeriesBatch(tenant, w.labels, w.offsets, w.timestamps, w.values, pick));
  }

  /**
   * An ingester refused as READONLY/leaving: re-read the ring and send each of its series to the
   * instance that now completes the series' replica set (one not asked before). The ring may take
   * a moment to show the new state, so this retries a few times.
   */
  private async resend(tenant: string, w: ValidWrite, keys: Uint32Array, series: Int32Array, oldRing: Ring, tracker: BatchTracker): Promise<BatchOutcome | undefined> {
    let pending = Array.from(series);
    for (let attempt = 0; attempt < 6 && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * attempt));
      const ring = await this.ring.watcher.refresh().catch(() => this.ring.watcher.ring());
      const now = this.clock.now();
      const groups = new Map<string, number[]>();
      const left: number[] = [];
      for (const pos of pending) {
        const asked = new Set(safeInstances(oldRing, keys[pos], now).map((i) => i.id));
        const target = safeInstances(ring, keys[pos], now).find((i) => !asked.has(i.id));
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
