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
export { IngesterClient, IngesterClientPool, LABEL_NAMES, LABEL_VALUES, LOCAL_INGESTER, NOT_WRITABLE, PUSH, QUERY } from './ingester-client';
export type { LocalIngester } from './ingester-client';
export { decodeSeriesArrow, encodeSeriesArrow } from './codec-arrow';
