export { collectSeries, SampleBuffer, seriesSetOf } from './storage';
export type { Queryable, Querier, SelectHints, Series, SeriesSet } from './storage';
export { IncompleteResultError, incompleteResult, mergeQueryables, mergeSamples, mergeSeries, settleSources, sortedUnion } from './merge';
export type { MergeOptions } from './merge';
export { EMPTY_QUERYABLE, olderOnly, recentOnly, restrictRange } from './restrict';
