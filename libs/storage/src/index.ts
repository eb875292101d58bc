export { collectSeries, seriesSetOf } from './storage';
export type { Queryable, Querier, SelectHints, Series, SeriesSet } from './storage';
