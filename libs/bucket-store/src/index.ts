export { BucketStore } from './bucket-store';
export type { BucketStoreOptions, CacheStats } from './bucket-store';
export { blocksFor, BUCKET_INDEX, listBlocks, readBucketIndex } from './discovery';
export type { BlockRef } from './discovery';
