import { formatGoG, quoteGo } from './go-format';

/**
 * Prometheus's annotations: warnings and infos that come with a result (not errors). Each
 * message is kept once, as Prometheus keys annotations by their text. The HTTP API returns them
 * as `warnings` and `infos`.
 */
export class Annotations {
  private readonly warningSet = new Set<string>();
  private readonly infoSet = new Set<string>();

  warn(message: string): void {
    this.warningSet.add(message);
  }

  info(message: string): void {
    this.infoSet.add(message);
  }

  get warnings(): string[] {
    return [...this.warningSet];
  }

  get infos(): string[] {
    return [...this.infoSet];
  }
}

const WARNING = 'PromQL warning';
const INFO = 'PromQL info';
const forMetric = (name: string) => (name ? ` for metric name ${quoteGo(name)}` : '');

/** The messages, worded as Prometheus's (util/annotations). */
export const annotation = {
  invalidQuantile: (q: number) => `${WARNING}: quantile value should be between 0 and 1, got ${formatGoG(q)}`,
  invalidRatio: (ratio: number, cappedTo: number) => `${WARNING}: ratio value should be between -1 and 1, got ${formatGoG(ratio)}, capping to ${formatGoG(cappedTo)}`,
  badBucketLabel: (metricName: string, le: string) => `${WARNING}: bucket label "le" is missing or has a malformed value of ${quoteGo(le)}${forMetric(metricName)}`,
  sortInRangeQuery: () => `${WARNING}: sort is ineffective for range queries since results are always ordered by labels`,
  possibleNonCounter: (metricName: string) => `${INFO}: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${quoteGo(metricName)}`,
  forcedMonotonicity: (metricName: string) => `${INFO}: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)${forMetric(metricName)}`,
};
