import type { ValueType } from './ast';

/** A PromQL function's signature: argument types (the last may repeat), optional count, result. */
export interface FunctionSignature {
  args: ValueType[];
  /** How many trailing arguments may be left out. */
  optional: number;
  /** The last argument type repeats (label_join). */
  variadic: boolean;
  returns: ValueType;
}

const sig = (args: ValueType[], returns: ValueType, optional = 0, variadic = false): FunctionSignature => ({ args, optional, variadic, returns });
const V: ValueType = 'vector';
const M: ValueType = 'matrix';
const S: ValueType = 'scalar';
const STR: ValueType = 'string';

/** The float-sample function library (Prometheus 3). */
export const FUNCTIONS: Readonly<Record<string, FunctionSignature>> = {
  abs: sig([V], V),
  absent: sig([V], V),
  absent_over_time: sig([M], V),
  acos: sig([V], V),
  acosh: sig([V], V),
  asin: sig([V], V),
  asinh: sig([V], V),
  atan: sig([V], V),
  atanh: sig([V], V),
  avg_over_time: sig([M], V),
  ceil: sig([V], V),
  changes: sig([M], V),
  clamp: sig([V, S, S], V),
  clamp_max: sig([V, S], V),
  clamp_min: sig([V, S], V),
  cos: sig([V], V),
  cosh: sig([V], V),
  count_over_time: sig([M], V),
  day_of_month: sig([V], V, 1),
  day_of_week: sig([V], V, 1),
  day_of_year: sig([V], V, 1),
  days_in_month: sig([V], V, 1),
  deg: sig([V], V),
  delta: sig([M], V),
  deriv: sig([M], V),
  exp: sig([V], V),
  floor: sig([V], V),
  histogram_fraction: sig([S, S, V], V),
  histogram_quantile: sig([S, V], V),
  hour: sig([V], V, 1),
  idelta: sig([M], V),
  increase: sig([M], V),
  irate: sig([M], V),
  label_join: sig([V, STR, STR, STR], V, 1, true),
  label_replace: sig([V, STR, STR, STR, STR], V),
  last_over_time: sig([M], V),
  ln: sig([V], V),
  log10: sig([V], V),
  log2: sig([V], V),
  max_over_time: sig([M], V),
  min_over_time: sig([M], V),
  minute: sig([V], V, 1),
  month: sig([V], V, 1),
  pi: sig([], S),
  predict_linear: sig([M, S], V),
  present_over_time: sig([M], V),
  quantile_over_time: sig([S, M], V),
  rad: sig([V], V),
  rate: sig([M], V),
  resets: sig([M], V),
  round: sig([V, S], V, 1),
  scalar: sig([V], S),
  sgn: sig([V], V),
  sin: sig([V], V),
  sinh: sig([V], V),
  sort: sig([V], V),
  sort_by_label: sig([V, STR], V, 1, true),
  sort_by_label_desc: sig([V, STR], V, 1, true),
  sort_desc: sig([V], V),
  sqrt: sig([V], V),
  stddev_over_time: sig([M], V),
  stdvar_over_time: sig([M], V),
  sum_over_time: sig([M], V),
  tan: sig([V], V),
  tanh: sig([V], V),
  time: sig([], S),
  timestamp: sig([V], V),
  vector: sig([S], V),
  year: sig([V], V, 1),
};

/** Aggregations that take a parameter before the vector. */
export const PARAM_AGGREGATIONS: Readonly<Record<string, ValueType>> = {
  topk: 'scalar',
  bottomk: 'scalar',
  quantile: 'scalar',
  limitk: 'scalar',
  limit_ratio: 'scalar',
  count_values: 'string',
};
