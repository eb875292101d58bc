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
  return [...dataPieces(result, times, asRange)].join('');
}

/**
 * `data` in pieces, one per series: a large answer is streamed to the client as it is written,
 * never held as one string (V8 strings end near 512 MB).
 */
export function* dataPieces(result: QueryResult, times: Float64Array, asRange: boolean): Generator<string> {
  const value = result.value;
  switch (value.type) {
    case 'scalar':
      if (asRange) yield `{"resultType":"matrix","result":[{"metric":{},"values":[${Array.from(times, (t, i) => point(t, value.values[i])).join(',')}]}]}`;
      else yield `{"resultType":"scalar","result":${point(times[0], value.values[0])}}`;
      return;
    case 'string':
      yield `{"resultType":"string","result":[${formatTime(times[0])},${JSON.stringify(value.value)}]}`;
      return;
    case 'matrix': {
      yield '{"resultType":"matrix","result":[';
      let first = true;
      for (const s of value.series) {
        yield `${first ? '' : ','}{"metric":${metric(s.labels)},"values":[${Array.from(s.timestamps, (t, i) => point(t, s.values[i])).join(',')}]}`;
        first = false;
      }
      yield ']}';
      return;
    }
    case 'vector': {
      yield `{"resultType":"${asRange ? 'matrix' : 'vector'}","result":[`;
      let first = true;
      for (const s of value.series) {
        let item: string | undefined;
        if (!asRange) {
          if (s.present[0]) item = `{"metric":${metric(s.labels)},"value":${point(times[0], s.values[0])}}`;
        } else {
          const points: string[] = [];
          for (let i = 0; i < times.length; i++) if (s.present[i]) points.push(point(times[i], s.values[i]));
          if (points.length > 0) item = `{"metric":${metric(s.labels)},"values":[${points.join(',')}]}`;
        }
        if (item === undefined) continue;
        yield `${first ? '' : ','}${item}`;
        first = false;
      }
      yield ']}';
      return;
    }
  }
}

/** The success envelope, with warnings and infos when there are any. */
export function successBody(data: string, warnings: readonly string[] = [], infos: readonly string[] = []): string {
  return [...successPieces([data], warnings, infos)].join('');
}

export function* successPieces(data: Iterable<string>, warnings: readonly string[] = [], infos: readonly string[] = []): Generator<string> {
  yield '{"status":"success","data":';
  yield* data;
  let tail = '';
  if (warnings.length > 0) tail += `,"warnings":${JSON.stringify(warnings)}`;
  if (infos.length > 0) tail += `,"infos":${JSON.stringify(infos)}`;
  yield `${tail}}`;
}

export function errorBody(errorType: string, error: string): string {
  return JSON.stringify({ status: 'error', errorType, error });
}
