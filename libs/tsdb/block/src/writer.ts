import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Labels } from '@myelin/model';
import { ENC_XOR, xorSampleCount } from '@myelin/tsdb-chunkenc';
import { ByteWriter } from './bytes';
import type { BlockMeta } from './meta';
import { newUlid } from './ulid';

export const INDEX_MAGIC = 0xbaaad700;
export const CHUNKS_MAGIC = 0x85bd40dd;
export const SEGMENT_MAX = 512 << 20;

export interface ChunkToWrite {
  minTime: number;
  maxTime: number;
  /** An encoded XOR chunk (2-byte count header included). */
  bytes: Uint8Array;
}

export interface SeriesToWrite {
  labels: Labels;
  chunks: ChunkToWrite[];
}

export interface BlockOptions {
  ulid?: string;
  /** Thanos external labels (Cortex puts the tenant and the ingester ID here). */
  externalLabels: Record<string, string>;
  source: string;
  now?: number;
  /** A compacted block's level and source blocks (level 1, itself, by default). */
  compaction?: { level: number; sources: string[] };
}

/** Go's sort order for strings: bytewise on UTF-8 (JS's < compares UTF-16 units). */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function compareLabelSets(a: Labels, b: Labels): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(a[i].name, b[i].name) || compareUtf8(a[i].value, b[i].value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Writes a Prometheus TSDB block (index format v2, chunk segment files, meta.json with a thanos
 * section) into `<dir>/<ulid>/`, laid out as Prometheus lays it out (docs/format/blocks.md), so
 * promtool and the Thanos/Cortex tools read it. Series need not be sorted; chunks of a series must
 * be in time order and must not overlap.
 */
export async function writeBlock(dir: string, input: SeriesToWrite[], opts: BlockOptions): Promise<BlockMeta> {
  const now = opts.now ?? Date.now();
  const ulid = opts.ulid ?? newUlid(now);
  const series = [...input].filter((s) => s.chunks.length > 0).sort((a, b) => compareLabelSets(a.labels, b.labels));
  // Written under a temporary name, every file synced, then renamed: a block directory that
  // exists under its ULID is always complete.
  const finalDir = path.join(dir, ulid);
  const blockDir = `${finalDir}.tmp`;
  await rm(blockDir, { recursive: true, force: true });
  await mkdir(path.join(blockDir, 'chunks'), { recursive: true });

  // Chunk segments.
  const segments: ByteWriter[] = [];
  const chunkRefs: number[][] = [];
  let minTime = Infinity;
  let maxTime = -Infinity;
  let numSamples = 0;
  let numChunks = 0;
  let seg = newSegment(segments);
  for (const s of series) {
    const refs: number[] = [];
    for (const c of s.chunks) {
      const size = 10 + 1 + c.bytes.length + 4;
      if (seg.length + size > SEGMENT_MAX && seg.length > 8) seg = newSegment(segments);
      refs.push((segments.length - 1) * 0x1_0000_0000 + seg.length);
      seg.uvarint(c.bytes.length);
      const crcFrom = seg.length;
      seg.u8(ENC_XOR);
      seg.bytes(c.bytes);
      seg.crcFrom(crcFrom);
      minTime = Math.min(minTime, c.minTime);
      maxTime = Math.max(maxTime, c.maxTime);
      numSamples += xorSampleCount(c.bytes);
      numChunks++;
    }
    chunkRefs.push(refs);
  }

  const index = buildIndex(series, chunkRefs);
  const files: Array<{ rel_path: string; size_bytes?: number }> = [];
  for (let i = 0; i < segments.length; i++) {
    const name = String(i + 1).padStart(6, '0');
    const bytes = segments[i].finish();
    await writeSynced(path.join(blockDir, 'chunks', name), bytes);
    files.push({ rel_path: `chunks/${name}`, size_bytes: bytes.length });
  }
  await writeSynced(path.join(blockDir, 'index'), index);
  files.push({ rel_path: 'index', size_bytes: index.length }, { rel_path: 'meta.json' });

  const meta: BlockMeta = {
    ulid,
    minTime: series.length > 0 ? minTime : 0,
    maxTime: series.length > 0 ? maxTime + 1 : 0, // exclusive, as Prometheus stores it
    stats: { numSamples, numSeries: series.length, numChunks },
    compaction: opts.compaction ?? { level: 1, sources: [ulid] },
    version: 1,
    thanos: {
      labels: opts.externalLabels,
      downsample: { resolution: 0 },
      source: opts.source,
      segment_files: files.filter((f) => f.rel_path.startsWith('chunks/')).map((f) => f.rel_path.slice('chunks/'.length)),
      files,
    },
  };
  await writeSynced(path.join(blockDir, 'meta.json'), Buffer.from(JSON.stringify(meta, null, '\t')));
  await rename(blockDir, finalDir);
  await syncDir(dir);
  return meta;
}

async function writeSynced(file: string, data: Uint8Array): Promise<void> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function newSegment(segments: ByteWriter[]): ByteWriter {
  const w = new ByteWriter();
  w.be32(CHUNKS_MAGIC);
  w.u8(1); // version
  w.u8(0);
  w.u8(0);
  w.u8(0); // padding
  segments.push(w);
  return w;
}

function buildIndex(series: SeriesToWrite[], chunkRefs: number[][]): Uint8Array {
  const w = new ByteWriter();
  w.be32(INDEX_MAGIC);
  w.u8(2); // index format v2

  // Symbols: every name and value, plus "" (the all-postings key), sorted as Go sorts.
  const symbolSet = new Set<string>(['']);
  for (const s of series) for (const l of s.labels) symbolSet.add(l.name).add(l.value);
  const symbols = [...symbolSet].sort(compareUtf8);
  const symbolRef = new Map(symbols.map((s, i) => [s, i]));
  const tocSymbols = w.length;
  w.framed(() => {
    w.be32(symbols.length);
    for (const s of symbols) w.str(s);
  });

  // Series, each 16-byte aligned; its ID is offset/16.
  const tocSeries = w.length;
  const seriesIds: number[] = [];
  const body = new ByteWriter();
  series.forEach((s, i) => {
    w.padTo(16);
    seriesIds.push(w.length / 16);
    body.length = 0;
    body.uvarint(s.labels.length);
    for (const l of s.labels) {
      body.uvarint(symbolRef.get(l.name)!);
      body.uvarint(symbolRef.get(l.value)!);
    }
    body.uvarint(s.chunks.length);
    let prevMaxT = 0;
    let prevRef = 0;
    s.chunks.forEach((c, k) => {
      const ref = chunkRefs[i][k];
      if (k === 0) {
        body.varint(c.minTime);
        body.uvarint(c.maxTime - c.minTime);
        body.uvarint(ref);
      } else {
        body.uvarint(c.minTime - prevMaxT);
        body.uvarint(c.maxTime - c.minTime);
        body.varint(ref - prevRef);
      }
      prevMaxT = c.maxTime;
      prevRef = ref;
    });
    w.uvarint(body.length);
    const from = w.length;
    w.bytes(body.buf.subarray(0, body.length));
    w.crcFrom(from);
  });

  // Label indices (no longer read by Prometheus, still written) and their offset table.
  const values = new Map<string, Set<string>>();
  for (const s of series) for (const l of s.labels) (values.get(l.name) ?? values.set(l.name, new Set()).get(l.name)!).add(l.value);
  const names = [...values.keys()].sort(compareUtf8);
  const tocLabelIndices = w.length;
  const labelIndexOffsets: number[] = [];
  for (const name of names) {
    w.padTo(4);
    labelIndexOffsets.push(w.length);
    const vals = [...values.get(name)!].sort(compareUtf8);
    w.framed(() => {
      w.be32(1);
      w.be32(vals.length);
      for (const v of vals) w.be32(symbolRef.get(v)!);
    });
  }

  // Postings: all series under ("", ""), then every label pair, sorted by name then value.
  const postings = new Map<string, Map<string, number[]>>();
  series.forEach((s, i) => {
    for (const l of s.labels) {
      let byValue = postings.get(l.name);
      if (!byValue) postings.set(l.name, (byValue = new Map()));
      (byValue.get(l.value) ?? byValue.set(l.value, []).get(l.value)!).push(seriesIds[i]);
    }
  });
  const pairs: Array<[string, string, number[]]> = [['', '', seriesIds]];
  for (const name of names) {
    const byValue = postings.get(name)!;
    for (const value of [...byValue.keys()].sort(compareUtf8)) pairs.push([name, value, byValue.get(value)!]);
  }
  const tocPostings = w.length;
  const postingOffsets: number[] = [];
  for (const [, , ids] of pairs) {
    w.padTo(4);
    postingOffsets.push(w.length);
    w.framed(() => {
      w.be32(ids.length);
      for (const id of ids) w.be32(id);
    });
  }

  const tocLabelOffsetTable = w.length;
  w.framed(() => {
    w.be32(names.length);
    names.forEach((name, i) => {
      w.u8(1);
      w.str(name);
      w.uvarint(labelIndexOffsets[i]);
    });
  });

  const tocPostingsOffsetTable = w.length;
  w.framed(() => {
    w.be32(pairs.length);
    pairs.forEach(([name, value], i) => {
      w.u8(2);
      w.str(name);
      w.str(value);
      w.uvarint(postingOffsets[i]);
    });
  });

  const tocFrom = w.length;
  for (const ref of [tocSymbols, tocSeries, tocLabelIndices, tocLabelOffsetTable, tocPostings, tocPostingsOffsetTable]) w.be64(ref);
  w.crcFrom(tocFrom);
  return w.finish();
}
