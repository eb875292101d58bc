import { compareLabels, formatLabels, labelsKey } from '@myelin/model';
import { FormatError } from './bytes';
import { mergeSamples, type SampleBuffer, type Series } from '@myelin/storage';
import { decodeChunkRange } from '@myelin/tsdb-chunkenc';
import type { EncodedChunk, SeriesChunks } from './reader';

function sameChunk(a: EncodedChunk, b: EncodedChunk): boolean {
  return a.minTime === b.minTime && a.maxTime === b.maxTime && a.bytes.length === b.bytes.length && Buffer.compare(a.bytes, b.bytes) === 0;
}

/** Whether every list holds the same chunks in the same order (replicas that got every sample): the common case, checked without a map. */
function allSame(lists: readonly (readonly EncodedChunk[])[]): boolean {
  const first = lists[0];
  for (let i = 1; i < first.length; i++) if (first[i].minTime <= first[i - 1].maxTime) return false; // not in time order
  for (let l = 1; l < lists.length; l++) {
    const other = lists[l];
    if (other.length !== first.length) return false;
    for (let i = 0; i < first.length; i++) if (other[i] !== first[i] && !sameChunk(other[i], first[i])) return false;
  }
  return true;
}

/** Whether a list is sorted by start, then end (as blocks and heads give chunks). */
function inTimeOrder(list: readonly EncodedChunk[]): boolean {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1];
    const b = list[i];
    if (b.minTime < a.minTime || (b.minTime === a.minTime && b.maxTime < a.maxTime)) return false;
  }
  return true;
}

/** Whether `c` equals a chunk of `kept` (sorted by start): only its tail can start where `c` does. */
function keptAlready(kept: readonly EncodedChunk[], c: EncodedChunk): boolean {
  for (let j = kept.length - 1; j >= 0 && kept[j].minTime === c.minTime; j--) if (kept[j] === c || sameChunk(kept[j], c)) return true;
  return false;
}

/**
 * The chunks of one series from several blocks, each once: the RF ingesters that received a
 * series cut byte-identical chunks from the same samples, so a replica's chunk equal to one
 * already kept (same time range, same bytes) is dropped before anything is decoded. Sorted by
 * time. Lists in time order (the usual case) are merged head by head, without a map or a sort.
 */
export function uniqueChunks(lists: readonly (readonly EncodedChunk[])[]): EncodedChunk[] {
  if (allSame(lists)) return lists[0] as EncodedChunk[];
  // Out of time order (not seen from Myelin's sources): one list, sorted, merged the same way.
  if (!lists.every(inTimeOrder)) return mergeInTimeOrder([lists.flat().sort((a, b) => a.minTime - b.minTime || a.maxTime - b.maxTime)]);
  return mergeInTimeOrder(lists);
}

/** Lists in time order merged head by head, a chunk equal to one kept dropped. */
function mergeInTimeOrder(lists: readonly (readonly EncodedChunk[])[]): EncodedChunk[] {
  const kept: EncodedChunk[] = [];
  const at = new Array<number>(lists.length).fill(0);
  for (;;) {
    let best = -1;
    let next: EncodedChunk | undefined;
    for (let l = 0; l < lists.length; l++) {
      const c = lists[l][at[l]];
      if (c !== undefined && (next === undefined || c.minTime < next.minTime || (c.minTime === next.minTime && c.maxTime < next.maxTime))) {
        best = l;
        next = c;
      }
    }
    if (next === undefined) return kept;
    at[best]++;
    if (!keptAlready(kept, next)) kept.push(next);
  }
}

/**
 * Samples of chunks in time order; chunks that overlap (replicas that differ) are merged sample by
 * sample. Into `into`'s columns when given and the chunks do not overlap (valid until it is used
 * again), else new arrays.
 */
export function decodeUnique(chunks: readonly EncodedChunk[], mint: number, maxt: number, into?: SampleBuffer): { timestamps: Float64Array; values: Float64Array } {
  const overlapping = chunks.some((c, i) => i > 0 && c.minTime <= chunks[i - 1].maxTime);
  if (!overlapping) return decodeChunkRange(chunks, mint, maxt, into);
  let acc: { labels: []; timestamps: Float64Array; values: Float64Array } = { labels: [], timestamps: new Float64Array(0), values: new Float64Array(0) };
  for (const c of chunks) acc = { labels: [], ...mergeSamples(acc, { labels: [], ...decodeChunkRange([c], mint, maxt) }) };
  return acc;
}

/** labelsKey per label-set object: replicas sharing one Labels object (decoded once) share the key too. */
const keys = new WeakMap<SeriesChunks['labels'], string>();
function keyOf(labels: SeriesChunks['labels']): string {
  let k = keys.get(labels);
  if (k === undefined) keys.set(labels, (k = labelsKey(labels)));
  return k;
}

/** Whether a list's series are in strictly ascending label order (as blocks, heads and ingesters give them). */
function sortedByLabels(list: readonly SeriesChunks[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareLabels(list[i - 1].labels, list[i].labels) >= 0) return false;
  return true;
}

/**
 * Series from several sources (blocks, head, replicas) as one sorted set, still encoded: equal
 * label sets joined, their chunks each once (uniqueChunks), in time order. Sources in label
 * order (the usual case) are merged head by head; others go through a map and a sort.
 */
export function combineChunkSeries(lists: readonly (readonly SeriesChunks[])[]): SeriesChunks[] {
  if (!lists.every(sortedByLabels)) return combineByKey(lists);
  const out: SeriesChunks[] = [];
  const at = new Array<number>(lists.length).fill(0);
  const same: EncodedChunk[][] = [];
  for (;;) {
    let min: SeriesChunks['labels'] | undefined;
    for (let l = 0; l < lists.length; l++) {
      const s = lists[l][at[l]];
      if (s !== undefined && (min === undefined || (s.labels !== min && compareLabels(s.labels, min) < 0))) min = s.labels;
    }
    if (min === undefined) return out;
    same.length = 0;
    for (let l = 0; l < lists.length; l++) {
      const s = lists[l][at[l]];
      if (s !== undefined && (s.labels === min || compareLabels(s.labels, min) === 0)) {
        same.push(s.chunks);
        at[l]++;
      }
    }
    out.push({ labels: min, chunks: same.length === 1 ? same[0] : uniqueChunks(same) });
  }
}

/** combineChunkSeries for sources in no particular order: joined by label key, then sorted. */
function combineByKey(lists: readonly (readonly SeriesChunks[])[]): SeriesChunks[] {
  const bySeries = new Map<string, { labels: SeriesChunks['labels']; lists: EncodedChunk[][] }>();
  for (const list of lists) {
    for (const s of list) {
      const key = keyOf(s.labels);
      const entry = bySeries.get(key);
      if (entry) entry.lists.push(s.chunks);
      else bySeries.set(key, { labels: s.labels, lists: [s.chunks] });
    }
  }
  const out: SeriesChunks[] = [];
  for (const { labels, lists: chunkLists } of bySeries.values()) out.push({ labels, chunks: chunkLists.length === 1 ? chunkLists[0] : uniqueChunks(chunkLists) });
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

/**
 * A series whose samples are still chunks: decoded when `timestamps` or `values` is first read
 * (and kept), or into a caller's buffer with decodeInto (nothing kept), so a query reading one
 * series at a time decodes into one reused buffer.
 */
class ChunkSeries implements Series {
  private decoded: { timestamps: Float64Array; values: Float64Array } | undefined;

  constructor(
    readonly labels: SeriesChunks['labels'],
    private readonly chunks: readonly EncodedChunk[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  get timestamps(): Float64Array {
    return this.samples().timestamps;
  }

  get values(): Float64Array {
    return this.samples().values;
  }

  decodeInto(into: SampleBuffer): { timestamps: Float64Array; values: Float64Array } {
    return this.decoded ?? this.decode(into);
  }

  private samples(): { timestamps: Float64Array; values: Float64Array } {
    return (this.decoded ??= this.decode());
  }

  /** Decoding happens after the source's read: a corrupt chunk is reported naming the series. */
  private decode(into?: SampleBuffer): { timestamps: Float64Array; values: Float64Array } {
    try {
      return decodeUnique(this.chunks, this.mint, this.maxt, into);
    } catch (e) {
      if (e instanceof RangeError) throw new FormatError(`corrupt chunk in series ${formatLabels(this.labels)}: ${e.message}`);
      throw e;
    }
  }
}

/**
 * Whether the chunks hold a sample in [mint, maxt]. Told from their time ranges (each starts and
 * ends on a sample) unless every chunk spans past both ends; then decoded.
 */
function hasSampleIn(chunks: readonly EncodedChunk[], mint: number, maxt: number): boolean {
  let spanning = false;
  for (const c of chunks) {
    if ((c.minTime >= mint && c.minTime <= maxt) || (c.maxTime >= mint && c.maxTime <= maxt)) return true;
    if (c.minTime < mint && c.maxTime > maxt) spanning = true;
  }
  return spanning && decodeUnique(chunks, mint, maxt).timestamps.length > 0;
}

/**
 * Series from several sources (replicas and neighbours in time), each sample once, trimmed to
 * [mint, maxt]; series without a sample there left out. Samples are decoded when first read
 * (ChunkSeries).
 */
export function mergeChunkSeries(lists: readonly (readonly SeriesChunks[])[], mint: number, maxt: number): Series[] {
  const out: Series[] = [];
  for (const s of combineChunkSeries(lists)) if (hasSampleIn(s.chunks, mint, maxt)) out.push(new ChunkSeries(s.labels, s.chunks, mint, maxt));
  return out;
}
