import { formatLabels, type Labels, METRIC_NAME } from '@myelin/model';

/** Per-tenant validation limits (Cortex's -validation.* flags). */
export interface ValidationLimits {
  maxLabelNamesPerSeries: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  rejectOldSamples: boolean;
  rejectOldSamplesMaxAgeMs: number;
  creationGracePeriodMs: number;
}

function isNameStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f;
}
function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39);
}

/** A legacy Prometheus label name: [a-zA-Z_][a-zA-Z0-9_]*. */
export function isValidLabelName(name: string): boolean {
  if (name.length === 0 || !isNameStart(name.charCodeAt(0))) return false;
  for (let i = 1; i < name.length; i++) if (!isNameChar(name.charCodeAt(i))) return false;
  return true;
}

/** A legacy Prometheus metric name: [a-zA-Z_:][a-zA-Z0-9_:]*. */
export function isValidMetricName(name: string): boolean {
  if (name.length === 0) return false;
  const c0 = name.charCodeAt(0);
  if (!isNameStart(c0) && c0 !== 0x3a) return false;
  for (let i = 1; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (!isNameChar(c) && c !== 0x3a) return false;
  }
  return true;
}

const quote = (s: string) => JSON.stringify(s.length > 200 ? s.slice(0, 200) + '...' : s);

/**
 * Checks one series' labels; returns the error naming the series and the rule, or undefined.
 * Rules: at least one label, a valid metric name, valid non-empty label names, no empty values,
 * names sorted and unique, and the length and count limits.
 */
export function validateLabels(labels: Labels, limits: ValidationLimits): string | undefined {
  if (labels.length === 0) return 'series has no labels';
  const series = () => quote(formatLabels(labels));
  let metricName: string | undefined;
  for (let i = 0; i < labels.length; i++) {
    const { name, value } = labels[i];
    if (name === METRIC_NAME) metricName = value;
    if (i > 0) {
      const prev = labels[i - 1].name;
      if (prev === name) return `duplicate label name ${quote(name)} in series ${series()}`;
      if (prev > name) return `labels not sorted: ${quote(prev)} before ${quote(name)} in series ${series()}`;
    }
  }
  if (metricName === undefined) return `sample missing metric name: series ${series()} has no __name__ label`;
  if (!isValidMetricName(metricName)) return `invalid metric name ${quote(metricName)} in series ${series()}`;
  if (labels.length > limits.maxLabelNamesPerSeries) {
    return `series ${series()} has ${labels.length} label names; limit ${limits.maxLabelNamesPerSeries} (-validation.max-label-names-per-series)`;
  }
  for (const { name, value } of labels) {
    if (name !== METRIC_NAME && !isValidLabelName(name)) return `invalid label name ${quote(name)} in series ${series()}`;
    if (name.length > limits.maxLabelNameLength) {
      return `label name too long: ${quote(name)} (${name.length} > ${limits.maxLabelNameLength}, -validation.max-length-label-name) in series ${series()}`;
    }
    if (value.length === 0) return `empty value for label ${quote(name)} in series ${series()}`;
    if (value.length > limits.maxLabelValueLength) {
      return `label value too long: ${quote(value)} for label ${quote(name)} (${value.length} > ${limits.maxLabelValueLength}, -validation.max-length-label-value) in series ${series()}`;
    }
  }
  return undefined;
}

/** Checks one sample's timestamp against now; returns the error or undefined. */
export function validateTimestamp(t: number, now: number, labels: Labels, limits: ValidationLimits): string | undefined {
  if (t > now + limits.creationGracePeriodMs) {
    return `timestamp too new: ${t} is more than ${limits.creationGracePeriodMs} ms in the future (-validation.create-grace-period) for series ${quote(formatLabels(labels))}`;
  }
  if (limits.rejectOldSamples && t < now - limits.rejectOldSamplesMaxAgeMs) {
    return `timestamp too old: ${t} is older than ${limits.rejectOldSamplesMaxAgeMs} ms (-validation.reject-old-samples-max-age) for series ${quote(formatLabels(labels))}`;
  }
  return undefined;
}
