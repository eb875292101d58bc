import type { InstanceDesc } from '@myelin/ring';
import { Read, ReplicationError, wholeRingSet } from '@myelin/ring';
import type { Labels, Matcher } from '@myelin/model';
import { IncompleteResultError, mergeQueryables, type MergeOptions, type Queryable, recentOnly, restrictRange, seriesSetOf } from '@myelin/storage';
import { combineChunkSeries, mergeChunkSeries, type SeriesChunks } from '@myelin/tsdb-block';
import { readFewest } from './read-fewest';

const NO_SAMPLES = new Float64Array(0);

/** The part of the ring the querier reads (the live ring view in production, a fixed one in tests). */
export interface ReadRing {
  instances(): readonly InstanceDesc[];
}

/** One ingester's data for a tenant (the RPC client pool in production). */
export interface IngesterQueryables {
  queryable(address: string, tenant: string): Queryable;
  /** The matching series with their chunks overlapping [mint, maxt], still encoded (the `query_chunks` RPC). */
  chunks(address: string, tenant: string, mint: number, maxt: number, matchers: readonly Matcher[], labels: Map<string, Labels>): Promise<SeriesChunks[]>;
}

export interface IngesterSourceConfig {
  replicationFactor: number;
  heartbeatTimeoutMs: number;
  zoneAwarenessEnabled: boolean;
  /** -querier.query-ingesters-within (0: ask ingesters for every range). */
  queryIngestersWithinMs: number;
  /** -querier.minimize-ingester-requests: chunk selects ask only the ingesters a complete answer needs (readFewest). */
  minimizeIngesterRequests?: boolean;
}

/** The still-encoded answers of one select, one list per replica (or block), not merged yet. */
export type ChunkSelect = (mint: number, maxt: number, matchers: readonly Matcher[]) => Promise<SeriesChunks[][]>;

/** The ingesters the ring's Read operation counts healthy, and how many of them may fail. */
function readSet(ring: ReadRing, config: IngesterSourceConfig, now: number): { members: readonly InstanceDesc[]; options: Required<MergeOptions> } {
  let set;
  try {
    set = wholeRingSet(ring.instances(), Read, config, now);
  } catch (e) {
    if (e instanceof ReplicationError) throw new IncompleteResultError(`cannot read from the ingesters: ${e.message}`);
    throw e;
  }
  const members = set.instances;
  // An instance without a zone counts as a zone of its own: the ring may place several replicas
  // of a series on zone-less instances, so losing two of them is not losing one zone.
  const zoneOf = (i: number) => members[i].zone || `\0${members[i].id}`;
  const options: Required<MergeOptions> = {
    nameOf: (i) => `ingester ${members[i].id} (${members[i].addr})`,
    canLose: (failed) => (config.zoneAwarenessEnabled ? new Set(failed.map(zoneOf)).size <= set.maxUnavailableZones : failed.length <= set.maxErrors),
  };
  return { members, options };
}

/**
 * The ingesters' chunks for a select (the `query_chunks` RPC), one list per ingester that
 * answered: each series is on RF of them, merged later. With minimizeIngesterRequests only the
 * ingesters a complete answer needs are asked, the rest as soon as one fails (readFewest); `rotation`
 * picks whom to leave out, spreading the load. Up to floor(RF/2) may fail (or that many zones with
 * zone awareness); beyond that the select fails with every failure named, so an answer is never
 * silently partial. One labels cache serves the replicas' answers, so each series' labels are
 * decoded once.
 */
export function ingesterChunks(tenant: string, ring: ReadRing, clients: IngesterQueryables, config: IngesterSourceConfig, now: () => number, rotation: () => number = () => 0): ChunkSelect {
  return async (mint, maxt, matchers) => {
    const { members, options } = readSet(ring, config, now());
    const labels = new Map<string, Labels>();
    return readFewest(members.length, (i) => clients.chunks(members[i].addr, tenant, mint, maxt, matchers, labels), {
      ...options,
      minimize: config.minimizeIngesterRequests ?? false,
      first: members.length > 0 ? rotation() % members.length : 0,
    });
  };
}

/**
 * A tenant's data on the ingesters: every ingester the ring's Read operation counts healthy
 * (ACTIVE, READONLY, LEAVING, ...) is asked, their answers merged and de-duplicated (each series
 * is on RF of them). Series come as encoded chunks: the replicas' identical chunks are decoded
 * once. Failures as in ingesterChunks. Ingesters are only asked for
 * [max(mint, now - query-ingesters-within), maxt].
 */
export function ingesterQueryable(tenant: string, ring: ReadRing, clients: IngesterQueryables, config: IngesterSourceConfig, now: () => number): Queryable {
  const chunks = ingesterChunks(tenant, ring, clients, config, now);
  const all: Queryable = {
    async querier(mint, maxt) {
      const { members, options } = readSet(ring, config, now());
      const labels = await mergeQueryables(
        members.map((m) => clients.queryable(m.addr, tenant)),
        options,
      ).querier(mint, maxt);
      return {
        select: async (matchers, hints) => {
          const answers = await chunks(mint, maxt, matchers);
          // Labels only (/api/v1/series): the replicas joined, nothing decoded.
          if (hints?.seriesOnly) return seriesSetOf(combineChunkSeries(answers).map((s) => ({ labels: s.labels, timestamps: NO_SAMPLES, values: NO_SAMPLES })));
          return seriesSetOf(mergeChunkSeries(answers, mint, maxt));
        },
        labelNames: (matchers) => labels.labelNames(matchers),
        labelValues: (name, matchers) => labels.labelValues(name, matchers),
        close: () => labels.close(),
      };
    },
  };
  return restrictRange(all, recentOnly(now, config.queryIngestersWithinMs));
}
