import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Labels, Matcher } from '@myelin/model';
import { FilesystemBucket } from '@myelin/object-store';
import { XORChunk } from '@myelin/tsdb-chunkenc';
import { LruCache } from './lru-cache';
import { BlockReader, type CachedChunks, type SeriesEntry } from './reader';
import { ulidTime, isUlid, newUlid } from './ulid';
import { type SeriesToWrite, writeBlock } from './writer';

const L = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));

/** A series with `n` samples every 15 s from t0, cut into chunks of 120 as the head does. */
function series(labels: Labels, t0: number, n: number, value: (i: number) => number): SeriesToWrite & { t: number[]; v: number[] } {
  const chunks = [];
  const t: number[] = [];
  const v: number[] = [];
  for (let start = 0; start < n; start += 120) {
    const c = new XORChunk();
    for (let i = start; i < Math.min(n, start + 120); i++) {
      c.append(t0 + i * 15_000, value(i));
      t.push(t0 + i * 15_000);
      v.push(value(i));
    }
    chunks.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() });
  }
  return { labels, chunks, t, v };
}

const T0 = 1_700_000_000_000;
const input = [
  series(L({ __name__: 'up', job: 'node', instance: 'b' }), T0, 300, (i) => i % 2),
  series(L({ __name__: 'up', job: 'node', instance: 'a' }), T0, 10, () => 1),
  series(L({ __name__: 'température', zone: '東京' }), T0 + 1000, 130, (i) => Math.sin(i)),
  series(L({ __name__: 'http_requests_total', code: '200', job: 'api' }), T0, 480, (i) => i * 3.5),
];

async function written() {
  const dir = mkdtempSync(path.join(tmpdir(), 'block-'));
  const meta = await writeBlock(dir, input, { externalLabels: { __org_id__: 'tenant-1', __ingester_id__: 'ingester-1' }, source: 'receive', now: T0 });
  return { dir, meta, blockDir: path.join(dir, meta.ulid) };
}

describe('block writer and reader', () => {
  it('writes meta.json with stats, the exclusive max time and the thanos section', async () => {
    const { meta, blockDir } = await written();
    expect(meta).toMatchObject({
      minTime: T0,
      maxTime: T0 + 479 * 15_000 + 1,
      stats: { numSeries: 4, numSamples: 300 + 10 + 130 + 480, numChunks: 3 + 1 + 2 + 4 },
      compaction: { level: 1, sources: [meta.ulid] },
      version: 1,
      thanos: { labels: { __org_id__: 'tenant-1', __ingester_id__: 'ingester-1' }, source: 'receive', segment_files: ['000001'] },
    });
    expect(JSON.parse(readFileSync(path.join(blockDir, 'meta.json'), 'utf8'))).toEqual(meta);
    const sizes = Object.fromEntries(meta.thanos!.files!.map((f) => [f.rel_path, f.size_bytes]));
    expect(sizes['index']).toBe(readFileSync(path.join(blockDir, 'index')).length);
  });

  it('reads back every sample of every series, sorted by labels', async () => {
    const { blockDir, meta } = await written();
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid);
    const got = await reader.select([], -Infinity, Infinity);
    // Sorted by label pairs, bytewise: http_requests_total < température < up{a} < up{b}.
    const expected = [input[3], input[2], input[1], input[0]];
    expect(got.map((s) => s.labels)).toEqual(expected.map((s) => s.labels));
    for (const s of expected) {
      const g = got.find((x) => JSON.stringify(x.labels) === JSON.stringify(s.labels))!;
      expect([...g.timestamps]).toEqual(s.t);
      expect([...g.values]).toEqual(s.v);
    }
  });

  it.each([
    [[new Matcher('=', '__name__', 'up')], ['a', 'b']],
    [[new Matcher('=', '__name__', 'up'), new Matcher('!=', 'instance', 'a')], ['b']],
    [[new Matcher('=~', 'instance', 'a|b'), new Matcher('=', 'job', 'node')], ['a', 'b']],
    [[new Matcher('=', 'job', 'nope')], []],
  ])('selects by matchers through the postings: %s', async (matchers, instances) => {
    const { blockDir, meta } = await written();
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid);
    const got = await reader.select(matchers, -Infinity, Infinity);
    expect(got.map((s) => s.labels.find((l) => l.name === 'instance')?.value)).toEqual(instances);
  });

  it('returns only samples in the range, reading only the chunks that overlap it', async () => {
    const { blockDir, meta } = await written();
    const bucket = new FilesystemBucket(blockDir);
    const ranges: string[] = [];
    const spy = { ...bucket, name: bucket.name, getRange: (k: string, o: number, n: number) => (ranges.push(`${k}@${o}`), bucket.getRange(k, o, n)), get: (k: string) => bucket.get(k) };
    const reader = await BlockReader.open(spy as unknown as FilesystemBucket, meta.ulid);
    const [s] = await reader.select([new Matcher('=', '__name__', 'http_requests_total')], T0 + 200 * 15_000, T0 + 210 * 15_000);
    expect([...s.timestamps]).toEqual(Array.from({ length: 11 }, (_, i) => T0 + (200 + i) * 15_000));
    // Samples 200-210 sit in the second of four chunks: one chunk read. The index header, the
    // postings list and the series entry are read by range too, never the whole index.
    expect(ranges.filter((r) => r.startsWith('chunks/'))).toHaveLength(1);
    expect(ranges.filter((r) => r.startsWith('index@')).length).toBeLessThan(10);
  });

  it('reads many series and their chunks in a few coalesced reads, and caches postings', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'block-many-'));
    const many = Array.from({ length: 2000 }, (_, i) => series(L({ __name__: 'm', i: String(i).padStart(4, '0') }), T0, 240, (k) => i + k));
    const meta = await writeBlock(dir, many, { externalLabels: {}, source: 'test', now: T0 });
    const bucket = new FilesystemBucket(path.join(dir, meta.ulid));
    const reads: string[] = [];
    const spy = { ...bucket, name: bucket.name, getRange: (k: string, o: number, n: number) => (reads.push(k), bucket.getRange(k, o, n)), get: (k: string) => bucket.get(k) };
    const reader = await BlockReader.open(spy as unknown as FilesystemBucket, meta.ulid);
    reads.length = 0;
    const got = await reader.select([new Matcher('=', '__name__', 'm')], -Infinity, Infinity);
    expect(got).toHaveLength(2000);
    expect([...got[1234].values]).toEqual(many[1234].v);
    // 2,000 series entries and 4,000 chunks: a handful of reads, not thousands.
    expect(reads.filter((k) => k === 'index').length).toBeLessThan(5);
    expect(reads.filter((k) => k.startsWith('chunks/')).length).toBeLessThan(5);
    reads.length = 0;
    await reader.select([new Matcher('=', '__name__', 'm'), new Matcher('=', 'i', '0007')], -Infinity, Infinity);
    // The postings of __name__="m" come from the cache; i="0007" and the one series entry are read.
    expect(reads.filter((k) => k === 'index')).toHaveLength(2);
  });

  it('with caches, reads series entries and chunks once, and only the chunks a query adds', async () => {
    const { blockDir, meta } = await written();
    const bucket = new FilesystemBucket(blockDir);
    const reads: string[] = [];
    const chunkReads: Array<[number, number]> = [];
    const spy = {
      ...bucket,
      name: bucket.name,
      getRange: (k: string, o: number, n: number) => {
        reads.push(k);
        if (k.startsWith('chunks/')) chunkReads.push([o, o + n]);
        return bucket.getRange(k, o, n);
      },
      get: (k: string) => bucket.get(k),
    };
    const caches = { series: new LruCache<SeriesEntry>(1 << 20), chunks: new LruCache<CachedChunks>(1 << 20) };
    const reader = await BlockReader.open(spy as unknown as FilesystemBucket, meta.ulid, { caches, cacheKey: `tenant-1/${meta.ulid}` });
    const sel = [new Matcher('=', '__name__', 'http_requests_total')];
    const expected = input[3];
    // The second of four chunks first, then the whole series: only the three others are read.
    reads.length = 0;
    const [narrow] = await reader.selectChunks(sel, T0 + 200 * 15_000, T0 + 210 * 15_000);
    expect(chunkReads).toHaveLength(1);
    reads.length = 0;
    chunkReads.length = 0;
    const [wholeChunks] = await reader.selectChunks(sel, -Infinity, Infinity);
    expect(reads.filter((k) => k === 'index')).toHaveLength(0); // postings and the entry cached
    // The three other chunks are read; the cached one is the very object the first select read.
    expect(chunkReads.length).toBeGreaterThan(0);
    expect(wholeChunks.chunks).toHaveLength(4);
    expect(wholeChunks.chunks[1]).toBe(narrow.chunks[0]);
    expect([caches.chunks.hits, caches.chunks.misses]).toEqual([1, 1]); // one lookup per series and select
    const [whole] = await reader.select(sel, -Infinity, Infinity);
    expect([...whole.timestamps]).toEqual(expected.t);
    expect([...whole.values]).toEqual(expected.v);
    reads.length = 0;
    const [again] = await reader.select(sel, -Infinity, Infinity);
    expect(reads).toEqual([]);
    expect([...again.values]).toEqual(expected.v);
    expect(caches.series.hits).toBeGreaterThan(0);
    expect(caches.chunks.bytes).toBeGreaterThan(expected.chunks.reduce((n, c) => n + c.bytes.length, 0));
  });

  it.each([
    ['chunks cache alone', () => ({ chunks: new LruCache<CachedChunks>(1 << 20) })],
    ['no caches', () => ({})],
  ])('answers a narrow then a whole range right with %s', async (_, caches) => {
    const { blockDir, meta } = await written();
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid, { caches: caches() });
    const sel = [new Matcher('=', '__name__', 'http_requests_total')];
    const [narrow] = await reader.select(sel, T0 + 300 * 15_000, T0 + 301 * 15_000);
    expect([...narrow.values]).toEqual(input[3].v.slice(300, 302));
    const [whole] = await reader.select(sel, -Infinity, Infinity);
    expect([...whole.values]).toEqual(input[3].v);
  });

  it('with a chunks cache too small for a series, still answers (reading again)', async () => {
    const { blockDir, meta } = await written();
    const caches = { chunks: new LruCache<CachedChunks>(10) };
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid, { caches });
    for (let i = 0; i < 2; i++) {
      const [s] = await reader.select([new Matcher('=', '__name__', 'http_requests_total')], -Infinity, Infinity);
      expect([...s.values]).toEqual(input[3].v);
    }
    expect(caches.chunks.size).toBe(0);
  });

  it('lists label names and values', async () => {
    const { blockDir, meta } = await written();
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid);
    expect(reader.labelNames()).toEqual(['__name__', 'code', 'instance', 'job', 'zone']);
    expect(reader.labelValues('job')).toEqual(['api', 'node']);
  });

  it.each([
    ['index', (b: Buffer) => b.subarray(0, b.length - 10), /^block \w+ index: /],
    ['index', (b: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, 0]), b.subarray(4)]), /^block \w+ index: bad magic$/],
    ['index', (b: Buffer) => ((b[b.length - 20] ^= 0xff), b), /^block \w+ index: TOC checksum mismatch$/],
    ['index', (b: Buffer) => ((b[12] ^= 0x01), b), /^block \w+ index: symbol table checksum mismatch$/],
    ['meta.json', () => Buffer.from('{'), /^block \w+ meta.json: /],
  ])('refuses a damaged %s with an error naming the block and file', async (file, damage, message) => {
    const { blockDir, meta } = await written();
    const p = path.join(blockDir, file);
    writeFileSync(p, damage(readFileSync(p)));
    await expect(BlockReader.open(new FilesystemBucket(blockDir), meta.ulid)).rejects.toThrow(message);
  });

  it('refuses a chunk whose bytes changed', async () => {
    const { blockDir, meta } = await written();
    const p = path.join(blockDir, 'chunks', '000001');
    const b = readFileSync(p);
    b[40] ^= 0xff;
    writeFileSync(p, b);
    const reader = await BlockReader.open(new FilesystemBucket(blockDir), meta.ulid);
    await expect(reader.select([], -Infinity, Infinity)).rejects.toThrow(/^block \w+ chunks\/000001: chunk at \d+ checksum mismatch$/);
  });
});

describe('ULID', () => {
  it('encodes the time in its first ten characters', () => {
    const id = newUlid(T0);
    expect(isUlid(id)).toBe(true);
    expect(ulidTime(id)).toBe(T0);
    expect(newUlid(T0 + 1) > newUlid(T0)).toBe(true);
  });
});
