import { gunzipSync } from 'node:zlib';
import { type Bucket, isNotFound } from '@myelin/object-store';
import type { BlockMeta } from '@myelin/tsdb-block';

/** What a querier needs to know of a block to decide whether to read it. */
export interface BlockRef {
  ulid: string;
  minTime: number;
  /** One past the last sample (ms), as meta.json stores it. */
  maxTime: number;
  /** Unix ms when the block was marked for deletion, if it was. */
  deletionTime?: number;
}

const META = /^([0-9A-HJKMNP-TV-Z]{26})\/meta\.json$/;
const DELETION_MARK = /^markers\/([0-9A-HJKMNP-TV-Z]{26})-deletion-mark\.json$/;
export const BUCKET_INDEX = 'bucket-index.json.gz';

interface BucketIndex {
  version: number;
  blocks: Array<{ block_id: string; min_time: number; max_time: number }>;
  block_deletion_marks?: Array<{ block_id: string; deletion_time: number }>;
}

/** The tenant's bucket index (Cortex's format), or undefined when there is none. */
export async function readBucketIndex(tenantBucket: Bucket): Promise<BlockRef[] | undefined> {
  let raw: Buffer;
  try {
    raw = await tenantBucket.get(BUCKET_INDEX);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
  const index = JSON.parse(gunzipSync(raw).toString('utf8')) as BucketIndex;
  if (index.version !== 1 || !Array.isArray(index.blocks)) throw new Error(`${tenantBucket.name} ${BUCKET_INDEX}: unsupported version ${index.version}`);
  const marks = new Map((index.block_deletion_marks ?? []).map((m) => [m.block_id, m.deletion_time * 1000]));
  return index.blocks.map((b) => ({ ulid: b.block_id, minTime: b.min_time, maxTime: b.max_time, deletionTime: marks.get(b.block_id) }));
}

/**
 * The tenant's blocks by listing (see docs/format/bucket-layout.md): complete blocks (meta.json
 * present) with their deletion marks. `known` holds metas read before; only new blocks' meta.json
 * are fetched.
 */
export async function listBlocks(tenantBucket: Bucket, known: ReadonlyMap<string, BlockRef>): Promise<BlockRef[]> {
  const keys = (await tenantBucket.list('')).objects.map((o) => o.key);
  const ulids = keys.flatMap((k) => META.exec(k)?.[1] ?? []);
  const marked = keys.flatMap((k) => DELETION_MARK.exec(k)?.[1] ?? []);
  const marks = new Map<string, number>();
  await Promise.all(
    marked.map(async (ulid) => {
      try {
        const mark = JSON.parse((await tenantBucket.get(`markers/${ulid}-deletion-mark.json`)).toString('utf8')) as { deletion_time: number };
        marks.set(ulid, mark.deletion_time * 1000);
      } catch (e) {
        // Removed with its block by the compactor since the listing: nothing to honour.
        if (!isNotFound(e)) throw e;
      }
    }),
  );
  const refs = await Promise.all(
    ulids.map(async (ulid): Promise<BlockRef | undefined> => {
      let base = known.get(ulid);
      if (!base) {
        try {
          base = metaRef(JSON.parse((await tenantBucket.get(`${ulid}/meta.json`)).toString('utf8')) as BlockMeta);
        } catch (e) {
          // Deleted by the compactor between the listing and now: not a block any more.
          if (isNotFound(e)) return undefined;
          throw e;
        }
      }
      return { ...base, deletionTime: marks.get(ulid) };
    }),
  );
  return refs.filter((r): r is BlockRef => r !== undefined);
}

function metaRef(meta: BlockMeta): BlockRef {
  return { ulid: meta.ulid, minTime: meta.minTime, maxTime: meta.maxTime };
}

/** Blocks a query over [mint, maxt] reads: overlapping, and not marked for deletion longer ago than `ignoreMarkedAfterMs`. */
export function blocksFor(blocks: readonly BlockRef[], mint: number, maxt: number, now: number, ignoreMarkedAfterMs: number): BlockRef[] {
  return blocks.filter((b) => b.minTime <= maxt && b.maxTime > mint && (b.deletionTime === undefined || now - b.deletionTime < ignoreMarkedAfterMs));
}
