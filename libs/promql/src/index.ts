export { parseExpr, parseDurationMs, ParseError } from './parser';
export type * from './ast';
export { FUNCTIONS, PARAM_AGGREGATIONS } from './functions';
export type { FunctionSignature } from './functions';
export { Engine, EvalError, isStaleNaN, LOOKBACK_MS, NotImplementedError, unwrapParens } from './engine';
export { validLabelName as isValidLabelName } from './label-functions';
export { formatGoF } from './go-format';
export type { EngineOptions, EvalRange, QueryResult, QueryValue, RangeSeries, StepSeries, StepValue } from './engine';
