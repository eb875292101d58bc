export { Head } from './head';
export { TenantHead } from './tenant-head';
export type { AppendBatch, AppendOutcome, RejectReason, TenantLimits } from './tenant-head';
export { MemSeries } from './mem-series';
export type { ClosedChunk } from './mem-series';
