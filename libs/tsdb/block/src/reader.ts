import { coalesceRanges } from './coalesce';
import { intersectSorted, type Label, type Labels, type Matcher, unionSorted } from '@myelin/model';
import type { Series } from '@myelin/storage';
import { crc32c, decodeChunkRange, ENC_XOR } from '@myelin/tsdb-chunkenc';
import { ByteReader, FormatError } from './bytes';
import type { LruCache } from './lru-cache';
import type { BlockMeta } from './meta';
import { CHUNKS_MAGIC, INDEX_MAGIC } from './writer';

/**
 * Where a block's files are read from: the part of a Bucket (@myelin/object-store) the reader
 * needs, keyed by file name within the block (`index`, `chunks/000001`, `meta.json`).
 */
export interface BlockFiles {
  get(key: string): Promise<Buffer>;
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
}

interface ChunkMeta {
  minTime: number;
  maxTime: number;
  ref: number;
}

const TOC_SIZE = 6 * 8 + 4;
/** Bytes read for a series entry at first; most fit, longer ones take a second read. */
const SERIES_READ = 512;
/** Bytes read for a chunk before its length is known (most XOR chunks of 120 samples are smaller). */
const CHUNK_READ = 512;
/** Reads of nearby ranges merge across gaps up to this size, up to this total (coalesce.ts). */
const READ_GAP = 16 << 10;
const MAX_READ = 16 << 20;
/** Postings lists kept per open block (least recently used dropped). */
const POSTINGS_CACHE_LISTS = 4096;

/** An encoded chunk with its time range, as a block's index describes it. */
export interface EncodedChunk {
  // Read-only: chunks are shared (cached, replicas, the head's closed chunks).
  readonly minTime: number;
  readonly maxTime: number;
  /** XOR chunk bytes (2-byte sample count header first). */
  readonly bytes: Uint8Array;
}

export interface SeriesChunks {
  labels: Labels;
  chunks: EncodedChunk[];
}

/** A series entry of a block's index: its labels and its chunks' time ranges and references. */
export interface SeriesEntry {
  labels: Labels;
  chunks: ChunkMeta[];
}

/**
 * Caches a reader consults before reading (Cortex's in-memory index and chunks caches), shared by
 * the readers of many blocks: keys start with the reader's cache key (tenant and block).
 */
export interface BlockCaches {
  /** Parsed series entries. */
  series?: LruCache<SeriesEntry>;
  /**
   * Chunks read, checksum verified, with their time ranges (copies: no read buffer is kept
   * alive), per series: slot i holds the series entry's chunk i once read.
   */
  chunks?: LruCache<CachedChunks>;
}

export interface OpenOptions {
  caches?: BlockCaches;
  /** What this block's cache keys start with (default its ULID); callers serving many tenants add the tenant. */
  cacheKey?: string;
}

/**
 * Cache sizes: the bytes a value holds plus what JS objects and typed arrays cost around them
 * (estimates; label strings counted in full, though readers of one block share them).
 */
const seriesEntrySize = (s: SeriesEntry) => s.labels.reduce((n, l) => n + 48 + 2 * (l.name.length + l.value.length), 80) + 40 * s.chunks.length;
/** A series' chunks as the chunks cache holds them: slot i is its entry's chunk i, once read. */
export type CachedChunks = Array<EncodedChunk | undefined>;
const cachedChunksSize = (cs: CachedChunks) => cs.reduce((n, c) => n + (c ? 200 + c.bytes.length : 8), 64);

/** Index of the first element >= x in an ascending array. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Reads a block through a Bucket whose keys are the block's files (`meta.json`, `index`,
 * `chunks/000001`: a FilesystemBucket on the block directory, or a PrefixedBucket on
 * `<tenant>/<ulid>` in object storage). The index is read once; chunks are fetched by byte range,
 * only for series and time ranges a selection needs. Damage (bad magic, checksum, truncation)
 * is a FormatError naming the block and the file.
 */
/** Where index bytes come from: the whole file in memory, or byte ranges of it. */
interface IndexSource {
  read(offset: number, length: number): Promise<Uint8Array>;
}

export class BlockReader {
  private constructor(
    readonly meta: BlockMeta,
    private readonly bucket: BlockFiles,
    private readonly index: IndexSource,
    private readonly indexSize: number,
    private readonly symbols: string[],
    /** name -> value -> offset of the postings list. */
    private readonly postingsTable: Map<string, Map<string, number>>,
    /** Every postings offset, ascending, then the end of the postings section: bounds each list. */
    private readonly postingsBounds: number[],
    private readonly caches: BlockCaches,
    /** Prefix of this block's cache keys. */
    private readonly cacheKey: string,
  ) {
    this.indexWhat = `block ${meta.ulid} index`;
  }

  /** Postings lists read so far, by JSON [name, value], least recently used first. */
  private readonly postingsCache = new Map<string, Promise<number[]>>();

  /**
   * Opens a block: reads meta.json and the index header (TOC, symbol table, postings offset
   * table), by byte ranges when meta.json gives the index size (Myelin and Thanos blocks), else
   * the whole index. Postings lists and series are read by range when a selection needs them;
   * the reader object is the in-memory cache of the header.
   */
  static async open(bucket: BlockFiles, ulid: string, options: OpenOptions = {}): Promise<BlockReader> {
    const what = (file: string) => `block ${ulid} ${file}`;
    let meta: BlockMeta;
    try {
      meta = JSON.parse((await bucket.get('meta.json')).toString('utf8')) as BlockMeta;
    } catch (e) {
      throw new FormatError(`${what('meta.json')}: ${(e as Error).message}`);
    }
    if (meta.version !== 1 || typeof meta.minTime !== 'number') throw new FormatError(`${what('meta.json')}: unsupported or malformed meta`);

    const knownSize = meta.thanos?.files?.find((f) => f.rel_path === 'index')?.size_bytes;
    let source: IndexSource;
    let size: number;
    if (knownSize !== undefined) {
      size = knownSize;
      source = {
        read: async (offset, length) => {
          const b = await bucket.getRange('index', offset, length);
          if (b.length < length) throw new FormatError(`${what('index')}: truncated (wanted ${length} bytes at ${offset}, got ${b.length})`);
          return b;
        },
      };
    } else {
      const whole = await bucket.get('index');
      size = whole.length;
      source = {
        read: async (offset, length) => {
          if (offset + length > whole.length) throw new FormatError(`${what('index')}: truncated (wanted ${length} bytes at ${offset})`);
          return whole.subarray(offset, offset + length);
        },
      };
    }
    if (size < 5 + TOC_SIZE) throw new FormatError(`${what('index')}: bad magic`);
    const head = new ByteReader(await source.read(0, 5), what('index'));
    if (head.be32() !== INDEX_MAGIC) throw new FormatError(`${what('index')}: bad magic`);
    const version = head.u8();
    if (version !== 2) throw new FormatError(`${what('index')}: unsupported index version ${version}`);

    const tocReader = new ByteReader(await source.read(size - TOC_SIZE, TOC_SIZE), what('index'));
    const toc = Array.from({ length: 6 }, () => tocReader.be64());
    tocReader.checkCrc(0, 'TOC');
    const [symbolsAt, , , labelOffsetTableAt, , postingsTableAt] = toc;
    for (const ref of toc) if (ref >= size) throw new FormatError(`${what('index')}: TOC points past the end`);

    const section = async (at: number) => {
      const len = new ByteReader(await source.read(at, 4), what('index')).be32();
      if (at + 4 + len + 4 > size) throw new FormatError(`${what('index')}: section at ${at} runs past the end`);
      return new ByteReader(await source.read(at, 4 + len + 4), what('index'), 4, 4 + len);
    };

    const sr = await section(symbolsAt);
    const count = sr.be32();
    const symbols: string[] = new Array(count);
    for (let i = 0; i < count; i++) symbols[i] = sr.str();
    sr.end = sr.buf.length;
    sr.checkCrc(4, 'symbol table');

    const postingsTable = new Map<string, Map<string, number>>();
    const offsets: number[] = [];
    if (postingsTableAt > 0) {
      const pr = await section(postingsTableAt);
      const entries = pr.be32();
      for (let i = 0; i < entries; i++) {
        if (pr.u8() !== 2) throw new FormatError(`${what('index')}: bad postings offset entry`);
        const name = pr.str();
        const value = pr.str();
        const offset = pr.uvarint();
        let byValue = postingsTable.get(name);
        if (!byValue) postingsTable.set(name, (byValue = new Map()));
        byValue.set(value, offset);
        offsets.push(offset);
      }
      pr.end = pr.buf.length;
      pr.checkCrc(4, 'postings offset table');
    }
    offsets.sort((a, b) => a - b);
    // Postings end where the label offset table (or the postings offset table) starts.
    offsets.push(labelOffsetTableAt > (offsets.at(-1) ?? 0) ? labelOffsetTableAt : postingsTableAt);
    return new BlockReader(meta, bucket, source, size, symbols, postingsTable, offsets, options.caches ?? {}, `${options.cacheKey ?? ulid}/`);
  }

  get ulid(): string {
    return this.meta.ulid;
  }

  private what(file: string): string {
    return file === 'index' ? this.indexWhat : `block ${this.meta.ulid} ${file}`;
  }

  /** Names the index in errors; built once (every series entry parsed is given it). */
  private readonly indexWhat: string;

  /** A postings list, from the cache or read once (concurrent readers share the read). */
  private postings(name: string, value: string): Promise<number[]> {
    const key = JSON.stringify([name, value]);
    let p = this.postingsCache.get(key);
    if (p) {
      this.postingsCache.delete(key);
      this.postingsCache.set(key, p);
      return p;
    }
    p = this.readPostings(name, value);
    p.catch(() => this.postingsCache.delete(key));
    this.postingsCache.set(key, p);
    if (this.postingsCache.size > POSTINGS_CACHE_LISTS) this.postingsCache.delete(this.postingsCache.keys().next().value as string);
    return p;
  }

  private async readPostings(name: string, value: string): Promise<number[]> {
    const offset = this.postingsTable.get(name)?.get(value);
    if (offset === undefined) return [];
    // One read: a list ends before the next one starts.
    const i = lowerBound(this.postingsBounds, offset);
    const bound = i + 1 < this.postingsBounds.length && this.postingsBounds[i] === offset ? this.postingsBounds[i + 1] : this.indexSize;
    const r = new ByteReader(await this.index.read(offset, Math.min(bound, this.indexSize) - offset), this.what('index'));
    const len = r.be32();
    const n = r.be32();
    if (len !== 4 + 4 * n) throw new FormatError(`${this.what('index')}: bad postings list length`);
    const ids: number[] = new Array(n);
    for (let k = 0; k < n; k++) ids[k] = r.be32();
    r.checkCrc(4, `postings for ${name}=${JSON.stringify(value)}`);
    return ids;
  }

  labelNames(): string[] {
    return [...this.postingsTable.keys()].filter((n) => n !== '').sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postingsTable.get(name)?.keys() ?? [])].sort();
  }

  /** Series IDs matching the matchers that cannot match an absent label (postings intersection). */
  private async candidates(matchers: readonly Matcher[]): Promise<number[]> {
    let result: number[] | undefined;
    for (const m of matchers) {
      if (m.matchesEmpty) continue;
      const byValue = this.postingsTable.get(m.name);
      let ids: number[] = [];
      if (byValue) {
        if (m.type === '=') ids = await this.postings(m.name, m.value);
        else {
          const lists: number[][] = [];
          for (const value of byValue.keys()) if (m.matches(value)) lists.push(await this.postings(m.name, value));
          ids = unionSorted(lists);
        }
      }
      result = result === undefined ? ids : intersectSorted(result, ids);
      if (result.length === 0) return result;
    }
    return result ?? this.postings('', '');
  }

  /**
   * Series entries by ID: from the series cache, the others read (and cached). Without caches,
   * an entry lists only its chunks overlapping [mint, maxt] (no object for a chunk not wanted);
   * the chunks cache needs whole entries (its slots are the entry's chunks).
   */
  private async seriesEntries(ids: readonly number[], mint: number, maxt: number): Promise<SeriesEntry[]> {
    const cache = this.caches.series;
    if (!cache) return this.caches.chunks ? this.readSeriesEntries(ids, -Infinity, Infinity) : this.readSeriesEntries(ids, mint, maxt);
    const out: SeriesEntry[] = new Array(ids.length);
    const missing: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const hit = cache.get(this.cacheKey + ids[i]);
      if (hit) out[i] = hit;
      else missing.push(i);
    }
    if (missing.length === 0) return out;
    const read = await this.readSeriesEntries(missing.map((i) => ids[i]), -Infinity, Infinity);
    missing.forEach((i, k) => {
      out[i] = read[k];
      cache.set(this.cacheKey + ids[i], read[k], seriesEntrySize(read[k]));
    });
    return out;
  }

  /** Series entries by ID, read in as few index reads as their positions allow. */
  private async readSeriesEntries(ids: readonly number[], mint: number, maxt: number): Promise<SeriesEntry[]> {
    const ranges = ids.map((id) => ({ offset: id * 16, length: Math.min(SERIES_READ, this.indexSize - id * 16) }));
    const out: SeriesEntry[] = new Array(ids.length);
    await Promise.all(
      coalesceRanges(ranges, READ_GAP, MAX_READ).map(async (m) => {
        const buf = await this.index.read(m.offset, m.length);
        for (const i of m.members) out[i] = this.parseSeries(ids[i], buf, ids[i] * 16 - m.offset, mint, maxt) ?? (await this.series(ids[i], mint, maxt));
      }),
    );
    return out;
  }

  /** One series entry read on its own (an entry longer than the batched read gave). */
  private async series(id: number, mint: number, maxt: number): Promise<SeriesEntry> {
    const at = id * 16;
    if (at >= this.indexSize) throw new FormatError(`${this.what('index')}: series ${id} is past the end`);
    let buf = await this.index.read(at, Math.min(SERIES_READ, this.indexSize - at));
    const entry = this.parseSeries(id, buf, 0, mint, maxt);
    if (entry) return entry;
    const r = new ByteReader(buf, this.what('index'));
    const len = r.uvarint();
    if (at + r.pos + len + 4 > this.indexSize) throw new FormatError(`${this.what('index')}: series ${id} runs past the end`);
    buf = await this.index.read(at, r.pos + len + 4);
    const whole = this.parseSeries(id, buf, 0, mint, maxt);
    if (!whole) throw new FormatError(`${this.what('index')}: series ${id} truncated`);
    return whole;
  }

  /** The entry at `start` in `buf` with its chunks overlapping [mint, maxt], or undefined when `buf` ends before it does. */
  private parseSeries(id: number, buf: Uint8Array, start: number, mint: number, maxt: number): SeriesEntry | undefined {
    const r = new ByteReader(buf, this.what('index'), start);
    let len: number;
    try {
      len = r.uvarint();
    } catch {
      return undefined;
    }
    const from = r.pos;
    if (from + len + 4 > buf.length) return undefined;
    r.end = from + len;
    const nLabels = r.uvarint();
    const labels: Label[] = new Array(nLabels);
    const symbols = this.symbols;
    for (let i = 0; i < nLabels; i++) {
      const nameRef = r.uvarint();
      const valueRef = r.uvarint();
      const name = symbols[nameRef];
      const value = symbols[valueRef];
      if (name === undefined || value === undefined) throw new FormatError(`${this.what('index')}: series ${id} refers to symbol ${name === undefined ? nameRef : valueRef} of ${symbols.length}`);
      labels[i] = { name, value };
    }
    const nChunks = r.uvarint();
    const chunks: ChunkMeta[] = [];
    let prevMaxT = 0;
    let prevRef = 0;
    for (let i = 0; i < nChunks; i++) {
      const minTime = i === 0 ? r.varint() : prevMaxT + r.uvarint();
      const maxTime = minTime + r.uvarint();
      const ref = i === 0 ? r.uvarint() : prevRef + r.varint();
      if (maxTime >= mint && minTime <= maxt) chunks.push({ minTime, maxTime, ref });
      prevMaxT = maxTime;
      prevRef = ref;
    }
    r.end = buf.length;
    r.checkCrc(from, `series ${id}`);
    return { labels, chunks };
  }

  /**
   * Series matching all matchers with their samples in [mint, maxt], sorted by labels. Series
   * entries and chunks are fetched in coalesced byte ranges (coalesce.ts): a few reads per query,
   * not one per series or chunk.
   */
  async select(matchers: readonly Matcher[], mint: number, maxt: number): Promise<Series[]> {
    const out: Series[] = [];
    for (const s of await this.selectChunks(matchers, mint, maxt)) {
      const samples = decodeChunkRange(s.chunks, mint, maxt);
      if (samples.timestamps.length > 0) out.push({ labels: s.labels, ...samples });
    }
    return out;
  }

  /** The labels of the series matching the matchers with a chunk overlapping [mint, maxt]; no chunk is read. */
  async selectLabels(matchers: readonly Matcher[], mint: number, maxt: number): Promise<Labels[]> {
    const entries = await this.seriesEntries(await this.candidates(matchers), mint, maxt);
    return entries.filter((s) => matchers.every((m) => m.matchesLabels(s.labels)) && s.chunks.some((c) => c.maxTime >= mint && c.minTime <= maxt)).map((s) => s.labels);
  }

  /**
   * As select, with each series' chunks overlapping [mint, maxt] still encoded (XOR bytes, in
   * time order): a caller merging replicas of a block can drop identical chunks before decoding.
   */
  async selectChunks(matchers: readonly Matcher[], mint: number, maxt: number): Promise<SeriesChunks[]> {
    const ids = await this.candidates(matchers);
    const entries = await this.seriesEntries(ids, mint, maxt);
    const cache = this.caches.chunks;
    const out: SeriesChunks[] = [];
    // Chunks not in the cache: where each goes once read.
    const missing: Array<{ meta: ChunkMeta; list: EncodedChunk[]; at: number; cached?: CachedChunks; slot: number }> = [];
    const filled = new Map<string, CachedChunks>();
    for (let k = 0; k < entries.length; k++) {
      const s = entries[k];
      if (!matchers.every((m) => m.matchesLabels(s.labels))) continue;
      const chunks: EncodedChunk[] = [];
      let cached: CachedChunks | undefined;
      let key = '';
      for (let j = 0; j < s.chunks.length; j++) {
        const c = s.chunks[j];
        if (c.maxTime < mint || c.minTime > maxt) continue;
        // One cache entry per series (its chunks, filled as they are read): one lookup, not one per chunk.
        if (cache && !cached) {
          key = this.cacheKey + ids[k];
          cached = cache.get(key) ?? new Array<EncodedChunk | undefined>(s.chunks.length);
        }
        const hit = cached?.[j];
        if (hit === undefined) {
          missing.push({ meta: c, list: chunks, at: chunks.length, cached, slot: j });
          if (cached) filled.set(key, cached);
        }
        chunks.push(hit as EncodedChunk); // a miss is filled in below
      }
      if (chunks.length > 0) out.push({ labels: s.labels, chunks });
    }
    if (missing.length === 0) return out;
    const datas = await this.readChunks(missing.map((m) => m.meta.ref));
    missing.forEach(({ meta, list, at, cached, slot }, i) => {
      // Cached chunks are copies: a view would keep the whole read buffer alive.
      const chunk = { minTime: meta.minTime, maxTime: meta.maxTime, bytes: cached ? Uint8Array.prototype.slice.call(datas[i]) : datas[i] };
      list[at] = chunk;
      if (cached) cached[slot] = chunk;
    });
    if (cache) for (const [key, cached] of filled) cache.set(key, cached, cachedChunksSize(cached));
    return out;
  }

  /** Chunks by reference, in the order given, read per segment file in coalesced ranges. */
  private async readChunks(refs: readonly number[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array(refs.length);
    const bySegment = new Map<number, number[]>();
    refs.forEach((ref, i) => {
      const segment = Math.floor(ref / 0x1_0000_0000);
      let list = bySegment.get(segment);
      if (!list) bySegment.set(segment, (list = []));
      list.push(i);
    });
    await Promise.all(
      [...bySegment].map(async ([segment, members]) => {
        const file = `chunks/${String(segment + 1).padStart(6, '0')}`;
        const ranges = members.map((i) => ({ offset: refs[i] % 0x1_0000_0000, length: CHUNK_READ }));
        await Promise.all(
          coalesceRanges(ranges, READ_GAP, MAX_READ).map(async (m) => {
            const buf = await this.bucket.getRange(file, m.offset, m.length);
            for (const j of m.members) {
              const i = members[j];
              out[i] = this.parseChunk(file, buf, ranges[j].offset - m.offset, ranges[j].offset) ?? (await this.readChunk(refs[i]));
            }
          }),
        );
      }),
    );
    return out;
  }

  /** The chunk at `start` of `buf` (file offset `offset`), CRC checked; undefined when `buf` ends first. */
  private parseChunk(file: string, buf: Uint8Array, start: number, offset: number): Uint8Array | undefined {
    if (offset < 8) throw new FormatError(`${this.what(file)}: chunk offset ${offset} inside the header`);
    // The length prefix, a uvarint, read inline: this runs for every chunk a query reads.
    let len = 0;
    let at = start;
    for (let shift = 0; ; shift += 7) {
      if (at >= buf.length) return undefined;
      // Four bytes (28 bits) are far more than any chunk needs.
      if (shift > 21) throw new FormatError(`${this.what(file)}: chunk at ${offset} has an overlong length`);
      const b = buf[at++];
      len += (b & 0x7f) * (1 << shift);
      if (b < 0x80) break;
    }
    if (at + 1 + len + 4 > buf.length) return undefined;
    if (buf[at] !== ENC_XOR) throw new FormatError(`${this.what(file)}: chunk at ${offset} has unsupported encoding ${buf[at]}`);
    const stored = ((buf[at + 1 + len] << 24) | (buf[at + 2 + len] << 16) | (buf[at + 3 + len] << 8) | buf[at + 4 + len]) >>> 0;
    if (crc32c(buf, 0, at, at + 1 + len) !== stored) throw new FormatError(`${this.what(file)}: chunk at ${offset} checksum mismatch`);
    return buf.subarray(at + 1, at + 1 + len);
  }

  /** One chunk's XOR bytes, by byte range from its segment file, its CRC checked. */
  private async readChunk(ref: number): Promise<Uint8Array> {
    const segment = Math.floor(ref / 0x1_0000_0000);
    const offset = ref % 0x1_0000_0000;
    const file = `chunks/${String(segment + 1).padStart(6, '0')}`;
    if (offset < 8) throw new FormatError(`${this.what(file)}: chunk offset ${offset} inside the header`);
    const head = await this.bucket.getRange(file, offset, CHUNK_READ);
    const short = this.parseChunk(file, head, 0, offset);
    if (short) return short;
    // Longer than the first read: the length prefix says how much to read.
    const r = new ByteReader(head, this.what(file));
    const len = r.uvarint();
    const whole = await this.bucket.getRange(file, offset, r.pos + 1 + len + 4);
    const chunk = this.parseChunk(file, whole, 0, offset);
    if (!chunk) throw new FormatError(`${this.what(file)}: chunk at ${offset} truncated`);
    return chunk;
  }

  /** Checks the chunk segment headers (magic and version), for a full verification. */
  async verifySegments(): Promise<void> {
    for (const f of this.meta.thanos?.segment_files ?? ['000001']) {
      const h = await this.bucket.getRange(`chunks/${f}`, 0, 8);
      const r = new ByteReader(h, this.what(`chunks/${f}`));
      if (h.length < 8 || r.be32() !== CHUNKS_MAGIC) throw new FormatError(`${this.what(`chunks/${f}`)}: bad magic`);
    }
  }
}
