import type { InstanceDesc } from '@myelin/ring';
import { Read, ReplicationError, wholeRingSet } from '@myelin/ring';
import type { Labels, Matcher } from '@myelin/model';
import { IncompleteResultError, mergeQueryables, type MergeOptions, type Queryable, recentOnly, restrictRange, seriesSetOf, settleSources } from '@myelin/storage';
import { combineChunkSeries, mergeChunkSeries, type SeriesChunks } from '@myelin/tsdb-block';

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
}

/**
 * A tenant's data on the ingesters: every ingester the ring's Read operation counts healthy
 * (ACTIVE, READONLY, LEAVING, ...) is asked, their answers merged and de-duplicated (each series
 * is on RF of them). Series come as encoded chunks: the replicas' identical chunks are decoded
 * once. Up to floor(RF/2) may fail (or that many zones with zone awareness); beyond
 * that the query fails with every failure named, so an answer is never silently partial.
 * Ingesters are only asked for [max(mint, now - query-ingesters-within), maxt].
 */
export function ingesterQueryable(tenant: string, ring: ReadRing, clients: IngesterQueryables, config: IngesterSourceConfig, now: () => number): Queryable {
  const all: Queryable = {
    async querier(mint, maxt) {
      let set;
      try {
        set = wholeRingSet(ring.instances(), Read, config, now());
      } catch (e) {
        if (e instanceof ReplicationError) throw new IncompleteResultError(`cannot read from the ingesters: ${e.message}`);
        throw e;
      }
      const members = set.instances;
      const options: MergeOptions = {
        nameOf: (i) => `ingester ${members[i].id} (${members[i].addr})`,
        canLose: (failed) => (config.zoneAwarenessEnabled ? new Set(failed.map((i) => members[i].zone)).size <= set.maxUnavailableZones : failed.length <= set.maxErrors),
      };
      const labels = await mergeQueryables(
        members.map((m) => clients.queryable(m.addr, tenant)),
        options,
      ).querier(mint, maxt);
      return {
        select: async (matchers, hints) => {
          // One labels cache for the replicas' answers: each series' labels decoded once.
          const labels = new Map<string, Labels>();
          const answers = await settleSources(members.map((m) => clients.chunks(m.addr, tenant, mint, maxt, matchers, labels)), options);
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
