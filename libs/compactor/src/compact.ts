import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { type BlockRef, listBlocks } from '@myelin/bucket-store';
import { type Bucket, PrefixedBucket } from '@myelin/object-store';
import { SAMPLES_PER_CHUNK, XORChunk } from '@myelin/tsdb-chunkenc';
import { BlockReader, combineChunkSeries, decodeUnique, type EncodedChunk, type SeriesToWrite, writeBlock } from '@myelin/tsdb-block';
import { overlappingGroups } from './plan';

/** One merge done: the new block and the blocks it replaces (now marked for deletion). */
export interface Compaction {
  tenant: string;
  ulid: string;
  sources: string[];
  series: number;
  samples: number;
}

/** Chunks in time order that do not overlap are kept as they are; otherwise merged and re-cut at 120 samples. */
function rechunk(chunks: EncodedChunk[]): EncodedChunk[] {
  const overlapping = chunks.some((c, i) => i > 0 && c.minTime <= chunks[i - 1].maxTime);
  if (!overlapping) return chunks;
  const { timestamps, values } = decodeUnique(chunks, -Infinity, Infinity);
  const out: EncodedChunk[] = [];
  for (let start = 0; start < timestamps.length; start += SAMPLES_PER_CHUNK) {
    const c = new XORChunk();
    for (let i = start; i < Math.min(timestamps.length, start + SAMPLES_PER_CHUNK); i++) c.append(timestamps[i], values[i]);
    out.push({ minTime: c.minTime, maxTime: c.maxTime, bytes: c.bytes() });
  }
  return out;
}

/**
 * Merges a group of overlapping blocks of one tenant into one (vertical compaction, as Cortex's
 * compactor de-duplicates the RF replicas each ingester shipped): every series once, identical
 * replica chunks kept once, differing replicas merged sample by sample. The new block is uploaded
 * (meta.json last), then the sources get deletion marks (`markers/<ULID>-deletion-mark.json` and
 * `<ULID>/deletion-mark.json`); queriers stop reading them once the marks are older than their
 * ignore-deletion-marks delay, and the blocks are deleted later.
 */
export async function compactGroup(bucket: Bucket, tenant: string, group: readonly BlockRef[], workDir: string, now: number): Promise<Compaction> {
  const tenantBucket = new PrefixedBucket(bucket, tenant);
  const readers = await Promise.all(group.map((b) => BlockReader.open(new PrefixedBucket(tenantBucket, b.ulid), b.ulid)));
  const combined = combineChunkSeries(await Promise.all(readers.map((r) => r.selectChunks([], -Infinity, Infinity))));
  const series: SeriesToWrite[] = combined.map((s) => ({ labels: s.labels, chunks: rechunk(s.chunks) }));
  const sources = [...new Set(readers.flatMap((r) => r.meta.compaction?.sources ?? [r.ulid]))].sort();
  const level = Math.max(...readers.map((r) => r.meta.compaction?.level ?? 1)) + 1;
  const meta = await writeBlock(workDir, series, { externalLabels: { __org_id__: tenant }, source: 'compactor', now, compaction: { level, sources } });
  const dir = path.join(workDir, meta.ulid);
  try {
    for (const f of (await readdir(path.join(dir, 'chunks'))).sort()) await tenantBucket.put(`${meta.ulid}/chunks/${f}`, await readFile(path.join(dir, 'chunks', f)));
    await tenantBucket.put(`${meta.ulid}/index`, await readFile(path.join(dir, 'index')));
    await tenantBucket.put(`${meta.ulid}/meta.json`, await readFile(path.join(dir, 'meta.json')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  for (const b of group) {
    const mark = Buffer.from(JSON.stringify({ id: b.ulid, deletion_time: Math.floor(now / 1000), version: 1 }));
    await tenantBucket.put(`${b.ulid}/deletion-mark.json`, mark);
    await tenantBucket.put(`markers/${b.ulid}-deletion-mark.json`, mark);
  }
  return { tenant, ulid: meta.ulid, sources: group.map((b) => b.ulid), series: meta.stats.numSeries, samples: meta.stats.numSamples };
}

/**
 * The tenants with blocks in the bucket: the first path segment of every `<tenant>/<ULID>/meta.json`.
 * A flat listing, not a delimiter one: s3rver (the tests' S3) answers delimiter listings at the
 * bucket's root without prefixes.
 */
export async function tenantsIn(bucket: Bucket): Promise<string[]> {
  const tenants = new Set<string>();
  for (const o of (await bucket.list('')).objects) {
    const m = /^([^/]+)\/[0-9A-HJKMNP-TV-Z]{26}\/meta\.json$/.exec(o.key);
    if (m) tenants.add(m[1]);
  }
  return [...tenants].sort();
}

/** One pass over every tenant: each group of overlapping blocks merged into one. */
export async function compactAll(bucket: Bucket, workDir: string, now: () => number, onError: (tenant: string, e: unknown) => void = () => undefined): Promise<Compaction[]> {
  const done: Compaction[] = [];
  for (const tenant of await tenantsIn(bucket)) {
    try {
      const blocks = await listBlocks(new PrefixedBucket(bucket, tenant), new Map());
      for (const group of overlappingGroups(blocks)) done.push(await compactGroup(bucket, tenant, group, workDir, now()));
    } catch (e) {
      onError(tenant, e);
    }
  }
  return done;
}
