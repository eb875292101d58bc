/**
 * Functions Myelin's parser does not know on purpose: Prometheus's experimental ones (behind its
 * promql-experimental-functions flag, off by default) and the native-histogram ones (Myelin
 * stores float samples only). Evals that use them are skipped, with this as the reason.
 */
export const NOT_SUPPORTED_FUNCTION = /unknown function with name "(first_over_time|mad_over_time|ts_of_\w+_over_time|double_exponential_smoothing|step|range|start|end|info|min_of|max_of|histogram_(count|sum|avg|stddev|stdvar|quantiles))"/;
