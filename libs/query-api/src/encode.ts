import type { Labels } from '@myelin/model';
import { formatGoF, type QueryResult } from '@myelin/promql';

/**
 * The Prometheus HTTP API's JSON, written as strings (results can be large; no object per
 * sample): timestamps as Unix seconds (JSON numbers, millisecond precision), values as strings in
 * Go's shortest decimal form ("1", "0.25", "NaN", "+Inf").
 */
export function formatTime(ms: number): string {
  return String(ms / 1000);
}

function metric(labels: Labels): string {
  let out = '{';
  for (let i = 0; i < labels.length; i++) out += `${i > 0 ? ',' : ''}${JSON.stringify(labels[i].name)}:${JSON.stringify(labels[i].value)}`;
  return `${out}}`;
}

function point(ms: number, v: number): string {
  return `[${formatTime(ms)},"${formatGoF(v)}"]`;
}

/** `data` of a query or query_range answer. `times[i]` is step i's time (ms). */
export function encodeData(result: QueryResult, times: Float64Array, asRange: boolean): string {
  const value = result.value;
  switch (value.type) {
    case 'scalar':
      if (asRange) return `{"resultType":"matrix","result":[{"metric":{},"values":[${Array.from(times, (t, i) => point(t, value.values[i])).join(',')}]}]}`;
      return `{"resultType":"scalar","result":${point(times[0], value.values[0])}}`;
    case 'string':
      return `{"resultType":"string","result":[${formatTime(times[0])},${JSON.stringify(value.value)}]}`;
    case 'matrix':
      return `{"resultType":"matrix","result":[${value.series.map((s) => `{"metric":${metric(s.labels)},"values":[${Array.from(s.timestamps, (t, i) => point(t, s.values[i])).join(',')}]}`).join(',')}]}`;
    case 'vector': {
      if (!asRange) {
        const items = value.series.filter((s) => s.present[0]).map((s) => `{"metric":${metric(s.labels)},"value":${point(times[0], s.values[0])}}`);
        return `{"resultType":"vector","result":[${items.join(',')}]}`;
      }
      const items: string[] = [];
      for (const s of value.series) {
        const points: string[] = [];
        for (let i = 0; i < times.length; i++) if (s.present[i]) points.push(point(times[i], s.values[i]));
        if (points.length > 0) items.push(`{"metric":${metric(s.labels)},"values":[${points.join(',')}]}`);
      }
      return `{"resultType":"matrix","result":[${items.join(',')}]}`;
    }
  }
}

/** The success envelope, with warnings and infos when there are any. */
export function successBody(data: string, warnings: readonly string[] = [], infos: readonly string[] = []): string {
  let out = `{"status":"success","data":${data}`;
  if (warnings.length > 0) out += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length > 0) out += `,"infos":${JSON.stringify(infos)}`;
  return `${out}}`;
}

export function errorBody(errorType: string, error: string): string {
  return JSON.stringify({ status: 'error', errorType, error });
}
