export { WAL, scanSegment } from './wal';
export type { ReplayStats, WalLogger, WalOptions } from './wal';
export { decodeRecord, encodeSamplesRecord, encodeSeriesRecord, RecordError, RECORD_SAMPLES, RECORD_SERIES } from './records';
export type { WalRecord } from './records';
