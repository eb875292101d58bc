import { parseDurationMs } from '@myelin/promql';
import { ApiError } from './api-error';

/** Prometheus's bounds for an unset start/end (api.go MinTime/MaxTime), as milliseconds. */
export const MIN_TIME_MS = -62135596800000; // 0001-01-01T00:00:00Z
export const MAX_TIME_MS = 253402300799000; // 9999-12-31T23:59:59Z

/**
 * A time parameter as Prometheus reads it: Unix seconds with a fraction ("1700000000.5") or
 * RFC 3339 ("2023-11-14T22:13:20Z"). Returns milliseconds.
 */
export function parseTime(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    const ms = Math.round(Number(t) * 1000);
    return Number.isFinite(ms) ? ms : undefined;
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** A duration parameter: seconds with a fraction ("15", "0.5") or a PromQL duration ("1m30s"). Milliseconds. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) {
    const ms = Number(t) * 1000;
    return Number.isFinite(ms) ? ms : undefined;
  }
  return parseDurationMs(t);
}

/** The form of a request: query string and url-encoded body merged, every value of a name kept. */
export type Form = ReadonlyMap<string, readonly string[]>;

export function formOf(...sources: Array<Record<string, unknown> | undefined>): Form {
  const out = new Map<string, string[]>();
  for (const src of sources) {
    if (!src || typeof src !== 'object') continue;
    for (const [k, v] of Object.entries(src)) {
      const values = Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)];
      out.set(k, [...(out.get(k) ?? []), ...values]);
    }
  }
  return out;
}

export function first(form: Form, name: string): string | undefined {
  return form.get(name)?.[0];
}

/** A time parameter, or `fallback` when absent; a bad one is a bad_data error naming it. */
export function timeParam(form: Form, name: string, fallback: number): number {
  const text = first(form, name);
  if (text === undefined || text === '') return fallback;
  const ms = parseTime(text);
  if (ms === undefined) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse ${JSON.stringify(text)} to a valid timestamp`);
  return ms;
}

export function durationParam(form: Form, name: string): number {
  const text = first(form, name);
  if (text === undefined || text === '') throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse "" to a valid duration`);
  const ms = parseDuration(text);
  if (ms === undefined) throw new ApiError('bad_data', `invalid parameter "${name}": cannot parse ${JSON.stringify(text)} to a valid duration`);
  return ms;
}
