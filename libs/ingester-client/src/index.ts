export {
  CodecError,
  decodeQueryRequest,
  decodeSeriesBatch,
  decodeStrings,
  encodeQueryRequest,
  encodeSeriesBatch,
  encodeStrings,
} from './codec';
export type { QueryRequest, SeriesBatch } from './codec';
export { IngesterClient, IngesterClientPool, LABEL_NAMES, LABEL_VALUES, NOT_WRITABLE, PUSH, QUERY } from './ingester-client';
