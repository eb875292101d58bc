export {
  CodecError,
  decodeQueryRequest,
  decodeSeriesBatch,
  decodeStrings,
  encodeQueryRequest,
  encodeSeriesBatch,
  encodeSeriesBatchFromKeys,
  encodeStrings,
  localPushBatch,
  localPushBatchFromKeys,
} from './codec';
export type { PushBatch, QueryRequest, SeriesBatch } from './codec';
export { IngesterClient, IngesterClientPool, LABEL_NAMES, LABEL_VALUES, LOCAL_INGESTER, NOT_WRITABLE, PUSH, QUERY, QUERY_CHUNKS } from './ingester-client';
export type { LocalIngester } from './ingester-client';
export { decodeChunksArrow, decodeSeriesArrow, encodeChunksArrow, encodeSeriesArrow } from './codec-arrow';
export type { ChunkedSeries } from './codec-arrow';
