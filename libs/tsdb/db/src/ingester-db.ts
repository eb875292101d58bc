import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Matcher } from '@myelin/model';
import { FilesystemBucket } from '@myelin/object-store';
import { BlockReader, combineChunkSeries, isUlid, type BlockMeta, type SeriesChunks, writeBlock } from '@myelin/tsdb-block';
import { type AppendBatch, type AppendOutcome, Head, type TenantLimits } from '@myelin/tsdb-head';
import { decodeRecord, encodeSamplesRecord, encodeSeriesRecord, WAL, type WalLogger } from '@myelin/tsdb-wal';
import { collectSeries, mergeSeries, type Querier, type Queryable, type Series, type SeriesSet } from '@myelin/storage';

/** Series per pair of records in a WAL checkpoint. */
const CHECKPOINT_SLICE = 1000;

export interface IngesterDBOptions {
  /** -blocks-storage.tsdb.dir: `wal/` and `<tenant>/<ulid>/` live here. */
  dir: string;
  walSegmentSize: number;
  walFsync: boolean;
  /** -blocks-storage.tsdb.block-ranges-period: blocks cover aligned ranges of this length. */
  blockRangeMs: number;
  /** Cut the whole head of a tenant idle this long (0: never). */
  idleTimeoutMs: number;
  /** Put into every block's external labels. */
  ingesterId: string;
  logger: WalLogger & { error(obj: object, msg: string): void };
  clock: { now(): number };
}

export interface LocalBlock {
  tenant: string;
  ulid: string;
  dir: string;
  meta: BlockMeta;
  reader: BlockReader;
  sizeBytes: number;
}

/**
 * An ingester's storage: the per-tenant head, the WAL behind it, and the blocks cut from the head
 * onto local disk. Appends are acknowledged once in the WAL. Blocks are cut per aligned block
 * range once the head spans 1.5 ranges (as Prometheus does), when a tenant is idle, or on flush;
 * after cutting, a WAL checkpoint drops what the blocks now hold. Queries see the head and the
 * local blocks merged.
 */
export class IngesterDB {
  readonly head = new Head();
  private wal!: WAL;
  private readonly blocks = new Map<string, LocalBlock[]>();
  private cutting: Promise<unknown> = Promise.resolve();

  private constructor(private readonly opts: IngesterDBOptions) {}

  static async open(opts: IngesterDBOptions): Promise<IngesterDB> {
    const db = new IngesterDB(opts);
    await mkdir(opts.dir, { recursive: true });
    await db.loadBlocks();
    await db.replay();
    return db;
  }

  private async loadBlocks(): Promise<void> {
    for (const tenant of await readdir(this.opts.dir)) {
      if (tenant === 'wal') continue;
      const tenantDir = path.join(this.opts.dir, tenant);
      if (!(await stat(tenantDir)).isDirectory()) continue;
      for (const name of await readdir(tenantDir)) {
        if (name.endsWith('.tmp')) await rm(path.join(tenantDir, name), { recursive: true, force: true });
        else if (isUlid(name)) await this.addBlock(tenant, path.join(tenantDir, name), name);
      }
      const latest = (this.blocks.get(tenant) ?? []).reduce((m, b) => Math.max(m, b.meta.maxTime), -Infinity);
      if (latest > -Infinity) this.head.tenant(tenant).minValidTime = latest;
    }
  }

  private async addBlock(tenant: string, dir: string, ulid: string): Promise<LocalBlock> {
    const reader = await BlockReader.open(new FilesystemBucket(dir), ulid);
    let sizeBytes = 0;
    for (const f of reader.meta.thanos?.files ?? []) sizeBytes += f.size_bytes ?? 0;
    const block: LocalBlock = { tenant, ulid, dir, meta: reader.meta, reader, sizeBytes };
    const list = this.blocks.get(tenant) ?? [];
    list.push(block);
    list.sort((a, b) => a.meta.minTime - b.meta.minTime);
    this.blocks.set(tenant, list);
    return block;
  }

  private async replay(): Promise<void> {
    const started = this.opts.clock.now();
    let maxRef = 0;
    const { wal, stats } = await WAL.open(
      { dir: path.join(this.opts.dir, 'wal'), segmentSize: this.opts.walSegmentSize, syncOnWrite: this.opts.walFsync, logger: this.opts.logger },
      (payload) => {
        const rec = decodeRecord(payload);
        const tenant = this.head.tenant(rec.tenant);
        if (rec.type === 'series') {
          for (const s of rec.series) {
            tenant.restoreSeries(s.ref, s.labels);
            if (s.ref > maxRef) maxRef = s.ref;
          }
        } else {
          // Samples already cut into a local block are skipped.
          for (let i = 0; i < rec.refs.length; i++) if (rec.timestamps[i] >= tenant.minValidTime) tenant.restoreSample(rec.refs[i], rec.timestamps[i], rec.values[i]);
        }
      },
    );
    this.head.reserveRefsUpTo(maxRef);
    this.wal = wal;
    this.opts.logger.info({ ...stats, ms: this.opts.clock.now() - started, tenants: this.head.tenantIds().length }, 'WAL replayed');
  }

  /** Appends to the head and the WAL; resolves once the WAL has the samples (synced per policy). */
  async append(tenant: string, batch: AppendBatch, limits: TenantLimits): Promise<AppendOutcome> {
    const head = this.head.tenant(tenant);
    const out = head.append(batch, limits);
    if (out.appended > 0) head.lastAppend = this.opts.clock.now();
    const records: Buffer[][] = [];
    if (out.newSeries.length > 0) records.push([encodeSeriesRecord(tenant, out.newSeries)]);
    if (out.wal.count > 0) records.push(encodeSamplesRecord(tenant, out.wal.refs, out.wal.timestamps, out.wal.values, out.wal.count));
    if (records.length > 0) await this.wal.append(records);
    return out;
  }

  /** Cuts what is due: full aligned ranges of busy heads, and the whole head of idle tenants. */
  compact(): Promise<LocalBlock[]> {
    return this.serialized(async () => {
      const now = this.opts.clock.now();
      const range = this.opts.blockRangeMs;
      const cut: LocalBlock[] = [];
      for (const tenant of this.head.tenantIds()) {
        const head = this.head.tenant(tenant);
        while (head.numSamples > 0 && head.maxTime - head.minTime > range * 1.5) {
          const end = Math.floor(head.minTime / range) * range + range;
          const b = await this.cutTenant(tenant, end);
          if (b) cut.push(b);
        }
        if (this.opts.idleTimeoutMs > 0 && head.numSamples > 0 && now - head.lastAppend > this.opts.idleTimeoutMs) {
          const b = await this.cutTenant(tenant, head.maxTime + 1);
          if (b) cut.push(b);
        }
      }
      if (cut.length > 0) await this.checkpoint();
      return cut;
    });
  }

  /** Cuts the whole head of the given tenants (all when omitted) into blocks. */
  flush(tenants?: readonly string[]): Promise<LocalBlock[]> {
    return this.serialized(async () => {
      const cut: LocalBlock[] = [];
      for (const tenant of tenants ?? this.head.tenantIds()) {
        const head = this.head.existingTenant(tenant);
        if (!head || head.numSamples === 0) continue;
        const b = await this.cutTenant(tenant, head.maxTime + 1);
        if (b) cut.push(b);
      }
      if (cut.length > 0) await this.checkpoint();
      return cut;
    });
  }

  private async cutTenant(tenant: string, maxt: number): Promise<LocalBlock | undefined> {
    const series = await this.head.tenant(tenant).cutBlock(maxt);
    if (series.length === 0) return undefined;
    const tenantDir = path.join(this.opts.dir, tenant);
    await mkdir(tenantDir, { recursive: true });
    const meta = await writeBlock(tenantDir, series, {
      externalLabels: { __org_id__: tenant, __ingester_id__: this.opts.ingesterId },
      source: 'receive',
      now: this.opts.clock.now(),
    });
    this.opts.logger.info({ tenant, ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime, series: meta.stats.numSeries, samples: meta.stats.numSamples }, 'block cut from the head');
    return this.addBlock(tenant, path.join(tenantDir, meta.ulid), meta.ulid);
  }

  /** Replaces the WAL up to now by a checkpoint of what the head still holds. */
  private async checkpoint(): Promise<void> {
    const upTo = await this.wal.startSegment();
    await this.wal.checkpoint(upTo, this.checkpointRecords());
  }

  /**
   * What the head holds, as WAL records, per slice of CHECKPOINT_SLICE series: the slice's series
   * record, then its samples record. Yields between slices so appends go on.
   */
  private async *checkpointRecords(): AsyncGenerator<Buffer[]> {
    for (const tenant of this.head.tenantIds()) {
      const live = this.head.tenant(tenant).liveSeries();
      for (let from = 0; from < live.length; from += CHECKPOINT_SLICE) {
        const slice = live.slice(from, from + CHECKPOINT_SLICE);
        yield [encodeSeriesRecord(tenant, slice.map(({ ref, labels }) => ({ ref, labels })))];
        const samples = slice.map(({ series }) => series.samples(-Infinity, Infinity));
        const n = samples.reduce((k, s) => k + s.timestamps.length, 0);
        if (n > 0) {
          const refs = new Uint32Array(n);
          const ts = new Float64Array(n);
          const vs = new Float64Array(n);
          let at = 0;
          slice.forEach(({ ref }, i) => {
            const { timestamps, values } = samples[i];
            refs.fill(ref, at, at + timestamps.length);
            ts.set(timestamps, at);
            vs.set(values, at);
            at += timestamps.length;
          });
          yield encodeSamplesRecord(tenant, refs, ts, vs, n);
        }
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  /** Deletes local blocks for which `removable` says yes (retention, once shipped). */
  async removeBlocks(removable: (b: LocalBlock) => boolean): Promise<LocalBlock[]> {
    const removed: LocalBlock[] = [];
    for (const [tenant, list] of this.blocks) {
      const keep: LocalBlock[] = [];
      for (const b of list) {
        if (removable(b)) {
          await rm(b.dir, { recursive: true, force: true });
          removed.push(b);
        } else keep.push(b);
      }
      this.blocks.set(tenant, keep);
    }
    return removed;
  }

  localBlocks(tenant?: string): LocalBlock[] {
    if (tenant !== undefined) return [...(this.blocks.get(tenant) ?? [])];
    return [...this.blocks.values()].flat();
  }

  tenants(): string[] {
    return [...new Set([...this.head.tenantIds(), ...this.blocks.keys()])].sort();
  }

  /**
   * One tenant's series matching the matchers with their chunks overlapping [mint, maxt], still
   * encoded: the head's (the open chunk as its current bytes) and the local blocks', joined by
   * label set. What a query answers with, so the querier can drop replicas' identical chunks
   * before decoding anything.
   */
  async selectChunks(tenant: string, matchers: readonly Matcher[], mint: number, maxt: number): Promise<SeriesChunks[]> {
    const lists: SeriesChunks[][] = [];
    const head = this.head.existingTenant(tenant);
    if (head) {
      const fromHead: SeriesChunks[] = [];
      for (const s of head.matching(matchers)) {
        const chunks = s.chunks(mint, maxt);
        if (chunks.length > 0) fromHead.push({ labels: s.labels, chunks });
      }
      lists.push(fromHead);
    }
    for (const b of this.blocks.get(tenant) ?? []) if (b.meta.maxTime > mint && b.meta.minTime <= maxt) lists.push(await b.reader.selectChunks(matchers, mint, maxt));
    return combineChunkSeries(lists);
  }

  /** One tenant's data, head and local blocks merged. */
  queryable(tenant: string): Queryable {
    return {
      querier: async (mint, maxt): Promise<Querier> => {
        const head = await this.head.queryable(tenant).querier(mint, maxt);
        const blocks = (this.blocks.get(tenant) ?? []).filter((b) => b.meta.maxTime > mint && b.meta.minTime <= maxt);
        return {
          select: async (matchers: readonly Matcher[]): Promise<SeriesSet> => {
            const lists: Series[][] = [await collectSeries(await head.select(matchers))];
            for (const b of blocks) lists.push(await b.reader.select(matchers, mint, maxt));
            return (async function* () {
              yield* mergeSeries(lists);
            })();
          },
          labelNames: async (matchers) => {
            const names = new Set(await head.labelNames(matchers));
            for (const b of blocks) {
              if (matchers && matchers.length > 0) for (const s of await b.reader.select(matchers, mint, maxt)) for (const l of s.labels) names.add(l.name);
              else for (const n of b.reader.labelNames()) names.add(n);
            }
            return [...names].sort();
          },
          labelValues: async (name, matchers) => {
            const values = new Set(await head.labelValues(name, matchers));
            for (const b of blocks) {
              if (matchers && matchers.length > 0) {
                for (const s of await b.reader.select(matchers, mint, maxt)) {
                  const v = s.labels.find((l) => l.name === name)?.value;
                  if (v !== undefined) values.add(v);
                }
              } else for (const v of b.reader.labelValues(name)) values.add(v);
            }
            return [...values].sort();
          },
          close: async () => undefined,
        };
      },
    };
  }

  async close(): Promise<void> {
    await this.cutting.catch(() => undefined);
    await this.wal.close();
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.cutting.then(fn, fn);
    this.cutting = run.catch(() => undefined);
    return run;
  }
}
