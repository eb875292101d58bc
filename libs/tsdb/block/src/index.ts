export { writeBlock, compareUtf8, INDEX_MAGIC, CHUNKS_MAGIC } from './writer';
export type { BlockOptions, ChunkToWrite, SeriesToWrite } from './writer';
export { BlockReader } from './reader';
export type { BlockCaches, BlockFiles, CachedChunks, EncodedChunk, OpenOptions, SeriesChunks, SeriesEntry } from './reader';
export { LruCache } from './lru-cache';
export type { BlockMeta } from './meta';
export { FormatError } from './bytes';
export { newUlid, ulidTime, isUlid } from './ulid';
export { combineChunkSeries, decodeUnique, mergeChunkSeries, uniqueChunks } from './replica-chunks';
