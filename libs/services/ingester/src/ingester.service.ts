import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import { CodecError, decodeQueryRequest, decodeSeriesBatch, encodeSeriesBatch, encodeStrings, NOT_WRITABLE } from '@myelin/ingester-client';
import type { Labels } from '@myelin/model';
import { CONFIG, LOGGER, type Logger, METRICS_REGISTRY, type MyelinConfig, sharedCounter } from '@myelin/platform';
import { InstanceState, stateName, Write } from '@myelin/ring';
import { IngesterRing } from '@myelin/ring-module';
import { rpcError } from '@myelin/rpc';
import { Head, type AppendBatch } from '@myelin/tsdb-head';
import { decodeRecord, encodeSamplesRecord, encodeSeriesRecord, WAL } from '@myelin/tsdb-wal';
import { collectSeries } from '@myelin/storage';
import { Counter, Gauge, type Registry } from 'prom-client';
import { IngesterLifecycler } from './ingester-lifecycler';

/**
 * The ingester's data path: the in-memory head per tenant and the WAL behind it. A push is
 * appended to the head, written to the WAL (and synced, per -blocks-storage.tsdb.wal-fsync), and
 * only then acknowledged, so kill -9 loses no acknowledged sample: a restart replays the WAL
 * before the instance rejoins the ring. A READONLY or stopping ingester refuses pushes with a
 * retryable error so the distributor sends them to the next owner (ring-and-readonly.md).
 */
@Injectable()
export class IngesterService {
  readonly head = new Head();
  private wal: WAL | undefined;
  private stopping = false;
  private started = false;
  private readonly ingested: Counter;
  private readonly discarded: Counter<'reason' | 'user'>;

  constructor(
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly lifecycler: IngesterLifecycler,
    private readonly ring: IngesterRing,
  ) {
    this.ingested = new Counter({ name: 'cortex_ingester_ingested_samples_total', help: 'Samples ingested.', registers: [registry] });
    this.discarded = sharedCounter(registry, {
      name: 'cortex_discarded_samples_total',
      help: 'Samples refused, by reason and tenant.',
      labelNames: ['reason', 'user'],
    });
    const head = this.head;
    new Gauge({
      name: 'cortex_ingester_memory_series',
      help: 'Series in memory.',
      registers: [registry],
      collect() {
        this.set(head.tenantIds().reduce((n, t) => n + head.tenant(t).numSeries, 0));
      },
    });
  }

  /** Replays the WAL into the head, then joins the ring. */
  async start(): Promise<void> {
    const started = Date.now();
    let maxRef = 0;
    const { wal, stats } = await WAL.open(
      {
        dir: path.join(this.config['blocks-storage.tsdb.dir'], 'wal'),
        segmentSize: this.config['blocks-storage.tsdb.wal-segment-size-bytes'],
        syncOnWrite: this.config['blocks-storage.tsdb.wal-fsync'],
        logger: this.logger,
      },
      (payload) => {
        const rec = decodeRecord(payload);
        const tenant = this.head.tenant(rec.tenant);
        if (rec.type === 'series') {
          for (const s of rec.series) {
            tenant.restoreSeries(s.ref, s.labels);
            if (s.ref > maxRef) maxRef = s.ref;
          }
        } else {
          for (let i = 0; i < rec.refs.length; i++) tenant.restoreSample(rec.refs[i], rec.timestamps[i], rec.values[i]);
        }
      },
    );
    this.head.reserveRefsUpTo(maxRef);
    this.wal = wal;
    this.logger.info({ ...stats, ms: Date.now() - started, tenants: this.head.tenantIds().length }, 'WAL replayed');
    this.started = true;
    await this.lifecycler.start();
  }

  /** Leaves the ring (or stays READONLY), then closes the WAL. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.lifecycler.stop();
    await this.wal?.close();
  }

  readinessProblem(): string | undefined {
    if (!this.started) return 'replaying the WAL';
    return this.lifecycler.lifecycler.readinessProblem();
  }

  async push(payload: Buffer): Promise<Buffer[]> {
    const id = this.lifecycler.lifecycler.id;
    if (this.stopping || !this.wal) throw rpcError(503, `${NOT_WRITABLE}: ingester ${id} is ${this.stopping ? 'stopping' : 'starting'}`);
    const state = this.lifecycler.lifecycler.state;
    if (state !== InstanceState.ACTIVE) throw rpcError(503, `${NOT_WRITABLE}: ingester ${id} is ${stateName(state)} and takes no writes`);
    let batch;
    try {
      batch = decodeSeriesBatch(payload);
    } catch (e) {
      if (e instanceof CodecError) throw rpcError(400, `bad push: ${e.message}`);
      throw e;
    }
    const tenant = this.head.tenant(batch.tenant);
    const input: AppendBatch = {
      seriesCount: batch.seriesCount,
      keyOf: (i) => batch.keyOf(i),
      labelsOf: (i) => batch.labelsOf(i),
      offsets: batch.offsets,
      timestamps: batch.timestamps,
      values: batch.values,
    };
    const out = tenant.append(input, { maxSeries: this.localSeriesLimit() });
    const records: Buffer[][] = [];
    if (out.newSeries.length > 0) records.push([encodeSeriesRecord(batch.tenant, out.newSeries)]);
    if (out.wal.count > 0) records.push(encodeSamplesRecord(batch.tenant, out.wal.refs, out.wal.timestamps, out.wal.values, out.wal.count));
    if (records.length > 0) {
      try {
        await this.wal.append(records);
      } catch (e) {
        this.logger.error({ err: (e as Error).message }, 'WAL write failed');
        throw rpcError(500, `ingester ${id}: WAL write failed: ${(e as Error).message}`);
      }
    }
    this.ingested.inc(out.appended);
    for (const [reason, n] of Object.entries(out.rejected)) if (n > 0) this.discarded.inc({ reason, user: batch.tenant }, n);
    if (out.firstError) throw rpcError(400, `user=${batch.tenant}: ${out.firstError}`);
    return [];
  }

  /**
   * The series limit of a tenant in this ingester: -ingester.max-series-per-user, or the global
   * limit split over the Write-healthy (ACTIVE) ingesters times the replication factor, if lower.
   */
  localSeriesLimit(): number {
    const local = this.config['ingester.max-series-per-user'];
    const global = this.config['ingester.max-global-series-per-user'];
    if (global <= 0) return local;
    const active = this.ring.watcher.ring().healthyInstancesCount(Write, Date.now());
    if (active === 0) return local;
    const share = Math.floor((global / active) * this.config['distributor.replication-factor']);
    return local > 0 ? Math.min(local, share) : share;
  }

  async query(payload: Buffer): Promise<Buffer[]> {
    const q = this.decodeQuery(payload);
    const querier = await this.head.queryable(q.tenant).querier(q.mint, q.maxt);
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
    return encodeSeriesBatch(q.tenant, labels, offsets, t, v);
  }

  async labelNames(payload: Buffer): Promise<Buffer> {
    const q = this.decodeQuery(payload);
    return encodeStrings(await (await this.head.queryable(q.tenant).querier(q.mint, q.maxt)).labelNames(q.matchers));
  }

  async labelValues(payload: Buffer): Promise<Buffer> {
    const q = this.decodeQuery(payload);
    return encodeStrings(await (await this.head.queryable(q.tenant).querier(q.mint, q.maxt)).labelValues(q.labelName, q.matchers));
  }

  private decodeQuery(payload: Buffer) {
    try {
      return decodeQueryRequest(payload);
    } catch (e) {
      throw rpcError(400, `bad query: ${(e as Error).message}`);
    }
  }
}
