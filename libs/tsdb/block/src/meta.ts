/** meta.json of a block: Prometheus's fields plus the thanos section Cortex and Thanos read. */
export interface BlockMeta {
  ulid: string;
  /** First sample's timestamp (ms). */
  minTime: number;
  /** One past the last sample's timestamp (ms), as Prometheus stores it. */
  maxTime: number;
  stats: { numSamples: number; numSeries: number; numChunks: number };
  compaction: { level: number; sources: string[] };
  version: 1;
  thanos?: {
    labels: Record<string, string>;
    downsample: { resolution: number };
    source: string;
    segment_files?: string[];
    files?: Array<{ rel_path: string; size_bytes?: number }>;
  };
}
