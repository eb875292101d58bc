import { decodeLabels, encodeLabels, getLabel, type Labels, labelKeyOf, METRIC_NAME } from '@myelin/model';
import { FNV32_OFFSET, fnv1Add32, shardByAllLabels } from '@myelin/ring';
import { decodeWriteRequestV1, decodeWriteRequestV2, type LabelsLookup } from './decode';
import { snappyDecode } from './snappy';
import { validateLabels, validateTimestamp, type ValidationLimits } from './validate';

/**
 * A remote-write request made ready for the ring: only what passed validation, each series named
 * by its canonical label bytes (a latin1 string: the ingester's series key) and its shard hash,
 * samples in columns. Plain data and typed arrays, so a worker thread can hand it over.
 */
export interface PreparedWrite {
  /**
   * Each kept series as a number the preparer gives its canonical label bytes (stable while
   * `epoch` stays the same). The strings for ids first given out in this request are `newKeys`,
   * ids `firstNewId`, `firstNewId + 1`, ...: the receiving side keeps a table, so each key string
   * crosses from the worker once and is the same string object (hash computed once) ever after.
   */
  ids: Uint32Array;
  firstNewId: number;
  newKeys: string[];
  /** Changes when the preparer forgets its ids (to bound memory): the table must be dropped. */
  epoch: number;
  hashes: Uint32Array;
  offsets: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  /** Valid samples kept. */
  samples: number;
  /** Float samples in the request. */
  received: number;
  histogramCount: number;
  exemplarCount: number;
  firstError: string | undefined;
  discardedInvalidLabels: number;
  discardedInvalidTimestamps: number;
}

export interface PrepareOptions {
  limits: ValidationLimits;
  shardByAllLabels: boolean;
  /** -distributor.max-recv-msg-size: the largest body after decompression. */
  maxMessageSize: number;
}

/**
 * Decodes, validates and keys remote-write bodies (the CPU-heavy part of a push, run in a worker
 * thread by the distributor). Keeps the caches that make known series cheap: label sets by their
 * bytes in the request, and per label set its validation result, metric name and key.
 * Throws DecodeError for a malformed body.
 */
interface SeriesInfo {
  error: string | undefined;
  metricName: string;
  key: string;
  /** -1 until the series is kept in a request; valid for `epoch`. */
  id: number;
  epoch: number;
}

type WithInfo = Labels & { info?: SeriesInfo };

/**
 * The decoder's label cache, trimmed for the preparer: for a series seen before it keeps only what
 * preparing needs (validation result, metric name, key), not the decoded label objects. The
 * decoder gets back an empty stand-in carrying that info.
 */
class InfoCache implements LabelsLookup {
  private map = new Map<string, WithInfo>();
  private readonly names = new Map<string, string>();

  constructor(
    private readonly compute: (labels: Labels) => SeriesInfo,
    private readonly maxEntries = 200_000,
  ) {}

  get(key: string): Labels | undefined {
    return this.map.get(key);
  }

  set(key: string, labels: Labels): void {
    const info = this.compute(labels);
    // Metric names repeat across series: keep one copy of each.
    let name = this.names.get(info.metricName);
    if (name === undefined) this.names.set(info.metricName, (name = info.metricName));
    info.metricName = name;
    (labels as WithInfo).info = info;
    if (this.map.size >= this.maxEntries) this.map = new Map();
    this.map.set(key, Object.assign([], { info }));
  }
}

/** The preparer forgets its ids past this many (a new epoch). */
const MAX_IDS = 4_000_000;

export class WritePreparer {
  private readonly cache: InfoCache;
  private readonly info = new WeakMap<Labels, SeriesInfo>();
  private readonly idByKey = new Map<string, number>();
  private nextId = 0;
  private epoch = 0;

  constructor(private readonly opts: PrepareOptions) {
    this.cache = new InfoCache((labels) => this.computeInfo(labels));
  }

  prepare(body: Uint8Array, version: 1 | 2, tenant: string, now: number): PreparedWrite {
    const raw = snappyDecode(body, this.opts.maxMessageSize);
    const w = version === 1 ? decodeWriteRequestV1(raw, this.cache) : decodeWriteRequestV2(raw);
    if (this.nextId >= MAX_IDS) {
      this.idByKey.clear();
      this.nextId = 0;
      this.epoch++;
    }
    const firstNewId = this.nextId;
    const newKeys: string[] = [];
    const ids: number[] = [];
    const hashes: number[] = [];
    const offsets = new Int32Array(w.seriesCount + 1);
    let t = w.timestamps;
    let v = w.values;
    let copy = false;
    let firstError: string | undefined;
    let badLabels = 0;
    let badTimes = 0;
    let at = 0;
    const tenantHash = fnv1Add32(FNV32_OFFSET, tenant);
    for (let s = 0; s < w.seriesCount; s++) {
      const labels = w.labels[s];
      const from = w.offsets[s];
      const to = w.offsets[s + 1];
      const info = this.infoOf(labels);
      if (info.error) {
        firstError ??= info.error;
        badLabels += to - from;
        copy = true;
        continue;
      }
      const start = at;
      for (let i = from; i < to; i++) {
        if (validateTimestamp(w.timestamps[i], now, labels, this.opts.limits) !== undefined) {
          // A known series comes as a stand-in without labels: name it from its key.
          const named = labels.length > 0 ? labels : decodeLabels(Buffer.from(info.key, 'latin1'), 0).labels;
          firstError ??= validateTimestamp(w.timestamps[i], now, named, this.opts.limits);
          badTimes++;
          copy = true;
          continue;
        }
        if (copy) {
          if (t === w.timestamps) {
            // First drop: from here on, kept samples are copied into fresh columns.
            t = new Float64Array(w.sampleCount);
            v = new Float64Array(w.sampleCount);
            t.set(w.timestamps.subarray(0, at));
            v.set(w.values.subarray(0, at));
          }
          t[at] = w.timestamps[i];
          v[at] = w.values[i];
        }
        at++;
      }
      if (at > start) {
        ids.push(this.idOf(info, newKeys));
        hashes.push(this.opts.shardByAllLabels ? shardByAllLabels(tenant, labels.length > 0 ? labels : decodeLabels(Buffer.from(info.key, 'latin1'), 0).labels) : fnv1Add32(tenantHash, info.metricName));
        offsets[ids.length] = at;
      }
    }
    return {
      ids: Uint32Array.from(ids),
      firstNewId,
      newKeys,
      epoch: this.epoch,
      hashes: Uint32Array.from(hashes),
      offsets: offsets.slice(0, ids.length + 1),
      timestamps: t === w.timestamps ? t.slice(0, at) : t.subarray(0, at),
      values: v === w.values ? v.slice(0, at) : v.subarray(0, at),
      samples: at,
      received: w.sampleCount,
      histogramCount: w.histogramCount,
      exemplarCount: w.exemplarCount,
      firstError,
      discardedInvalidLabels: badLabels,
      discardedInvalidTimestamps: badTimes,
    };
  }

  /** The series' id, giving it one (and its key to newKeys) the first time. */
  private idOf(info: SeriesInfo, newKeys: string[]): number {
    if (info.id >= 0 && info.epoch === this.epoch) return info.id;
    let id = this.idByKey.get(info.key);
    if (id === undefined) {
      id = this.nextId++;
      this.idByKey.set(info.key, id);
      newKeys.push(info.key);
    }
    info.id = id;
    info.epoch = this.epoch;
    return id;
  }

  private infoOf(labels: Labels): SeriesInfo {
    const attached = (labels as WithInfo).info;
    if (attached) return attached;
    let info = this.info.get(labels);
    if (!info) this.info.set(labels, (info = this.computeInfo(labels)));
    return info;
  }

  private computeInfo(labels: Labels): SeriesInfo {
    const error = validateLabels(labels, this.opts.limits);
    return { error, metricName: getLabel(labels, METRIC_NAME) ?? '', key: error ? '' : labelKeyOf(encodeLabels(labels)), id: -1, epoch: -1 };
  }
}
