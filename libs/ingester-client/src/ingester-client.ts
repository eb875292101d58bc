import type { Labels, Matcher } from '@myelin/model';
import { RpcClient } from '@myelin/rpc';
import type { Querier, Queryable, Series, SeriesSet } from '@myelin/storage';
import { decodeStrings, encodeQueryRequest, type PushBatch, type SeriesBatch } from './codec';
import { type ChunkedSeries, decodeChunksArrow, decodeSeriesArrow } from './codec-arrow';

/** RPC patterns an ingester serves. */
export const PUSH = 'push';
export const QUERY = 'query';
/** A query answered with encoded chunks (Arrow, see codec-arrow.ts): what queriers use. */
export const QUERY_CHUNKS = 'query_chunks';
export const LABEL_NAMES = 'label_names';
export const LABEL_VALUES = 'label_values';

/** The typed face of one ingester's RPC API. */
export class IngesterClient {
  constructor(
    readonly rpc: RpcClient,
    private readonly timeoutMs: number,
  ) {}

  get address(): string {
    return this.rpc.address;
  }

  /** Sends an encoded series batch; rejects with RpcCallError (status 4xx: bad data; else retryable). */
  async push(batch: readonly Buffer[]): Promise<void> {
    await this.rpc.call(PUSH, batch, this.timeoutMs);
  }

  /** `timeoutMs` overrides the client's timeout for this call (a tenant's own query timeout). */
  async query(tenant: string, mint: number, maxt: number, matchers: Matcher[], limit = 0, timeoutMs = this.timeoutMs): Promise<SeriesBatch> {
    return decodeSeriesArrow(await this.rpc.call(QUERY, [encodeQueryRequest({ tenant, mint, maxt, matchers, labelName: '', limit })], timeoutMs), tenant);
  }

  /** The matching series with their chunks overlapping [mint, maxt], still encoded. */
  async queryChunks(tenant: string, mint: number, maxt: number, matchers: Matcher[], timeoutMs = this.timeoutMs, labels?: Map<string, Labels>): Promise<ChunkedSeries[]> {
    return decodeChunksArrow(await this.rpc.call(QUERY_CHUNKS, [encodeQueryRequest({ tenant, mint, maxt, matchers, labelName: '', limit: 0 })], timeoutMs), labels);
  }

  async labelNames(tenant: string, mint: number, maxt: number, matchers: Matcher[], timeoutMs = this.timeoutMs): Promise<string[]> {
    return decodeStrings(await this.rpc.call(LABEL_NAMES, [encodeQueryRequest({ tenant, mint, maxt, matchers, labelName: '', limit: 0 })], timeoutMs));
  }

  async labelValues(tenant: string, name: string, mint: number, maxt: number, matchers: Matcher[], timeoutMs = this.timeoutMs): Promise<string[]> {
    return decodeStrings(await this.rpc.call(LABEL_VALUES, [encodeQueryRequest({ tenant, mint, maxt, matchers, labelName: name, limit: 0 })], timeoutMs));
  }

  /** One tenant's data on this ingester as a Queryable; calls time out after `timeoutMs` (the client's by default). */
  queryable(tenant: string, timeoutMs = this.timeoutMs): Queryable {
    return {
      querier: async (mint, maxt): Promise<Querier> => ({
        select: async (matchers): Promise<SeriesSet> => seriesOf(await this.query(tenant, mint, maxt, [...matchers], 0, timeoutMs)),
        labelNames: (matchers) => this.labelNames(tenant, mint, maxt, [...(matchers ?? [])], timeoutMs),
        labelValues: (name, matchers) => this.labelValues(tenant, name, mint, maxt, [...(matchers ?? [])], timeoutMs),
        close: async () => undefined,
      }),
    };
  }

  close(): void {
    this.rpc.close();
  }
}

async function* seriesOf(batch: SeriesBatch): SeriesSet {
  for (let i = 0; i < batch.seriesCount; i++) {
    const from = batch.offsets[i];
    const to = batch.offsets[i + 1];
    yield { labels: batch.labels[i] as Labels, timestamps: batch.timestamps.subarray(from, to), values: batch.values.subarray(from, to) } satisfies Series;
  }
}

/** Clients by ingester address, made on first use; clients of addresses gone from the ring are closed. */
export class IngesterClientPool {
  private readonly clients = new Map<string, IngesterClient>();

  constructor(private readonly opts: { timeoutMs: number; connectionsPerIngester: number }) {}

  get(address: string): IngesterClient {
    let c = this.clients.get(address);
    if (!c) this.clients.set(address, (c = new IngesterClient(new RpcClient(address, this.opts.connectionsPerIngester), this.opts.timeoutMs)));
    return c;
  }

  /** Closes the clients of addresses not in `live`. */
  prune(live: ReadonlySet<string>): void {
    for (const [address, c] of this.clients) {
      if (!live.has(address)) {
        c.close();
        this.clients.delete(address);
      }
    }
  }

  closeAll(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/**
 * Prefix of the message an ingester answers (with status 503) when it takes no writes because it
 * is READONLY, leaving or stopping: the distributor then refreshes its ring and re-sends.
 */
export const NOT_WRITABLE = 'instance not writable';

/**
 * An ingester in the same process as the distributor (-target=all): pushes go to it by a method
 * call instead of the RPC. Rejections are RpcCallErrors, as over the wire.
 */
export interface LocalIngester {
  /** The address this ingester advertises in the ring. */
  readonly address: string;
  push(batch: PushBatch): Promise<void>;
}

export const LOCAL_INGESTER = Symbol('myelin.local-ingester');
