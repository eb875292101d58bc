import type { Matcher } from '@myelin/model';
import { Engine, EvalError, isValidLabelName, NotImplementedError, ParseError, parseExpr, unwrapParens } from '@myelin/promql';
import { collectSeries, IncompleteResultError, type Queryable, sortedUnion } from '@myelin/storage';
import { ApiError } from './api-error';
import { dataPieces, errorBody, successBody, successPieces } from './encode';
import { durationParam, type Form, first, MAX_TIME_MS, MIN_TIME_MS, timeParam } from './params';
import { limitSeries, QueryLimitError } from './series-limit';

/** A tenant's query limits (-querier.timeout, -querier.max-samples, -querier.max-fetched-series-per-query). */
export interface QueryLimits {
  timeoutMs: number;
  maxSamples: number;
  maxSeries: number;
}

/** What the API reads from: the tenant's data, its limits and the clock (all injected). */
export interface QueryApiDeps {
  source(tenant: string): Queryable;
  limits(tenant: string): QueryLimits;
  now(): number;
}

export interface ApiResponse {
  status: number;
  /** The JSON, whole or (query answers) in pieces to stream. */
  body: string | Iterable<string>;
}

/** Prometheus's limit on points per series of a range query (api.go). */
const MAX_POINTS = 11_000;

export const BUILD_INFO = { version: '0.1.0', revision: '', branch: 'main', buildUser: 'myelin', buildDate: '', goVersion: 'none (Node.js)' };

/**
 * The Prometheus HTTP API over a tenant's Queryable, framework-free: each method takes the
 * request's form (query string and body merged) and gives the status and JSON body Prometheus
 * would. Errors carry Prometheus's error types: bad_data (400) for a bad request, execution (422)
 * for a failed evaluation or a hit limit, timeout (503), unavailable (503) when too many sources
 * failed to answer completely.
 */
export class QueryApi {
  constructor(private readonly deps: QueryApiDeps) {}

  /**
   * GET|POST /api/v1/query: `query`, optional `time` (default now) and `timeout`. `signal`, when
   * given, aborts the evaluation (the client went away).
   */
  query(tenant: string, form: Form, signal?: AbortSignal): Promise<ApiResponse> {
    return this.answer(async () => {
      const time = timeParam(form, 'time', this.deps.now());
      const expr = this.parse(first(form, 'query') ?? '');
      const result = await this.engine(tenant, form, signal).query(expr, { start: time, end: time, step: 0 });
      return successPieces(dataPieces(result, Float64Array.of(time), false), result.warnings, result.infos);
    });
  }

  /** GET|POST /api/v1/query_range: `query`, `start`, `end`, `step`, optional `timeout`; `signal` as for query. */
  queryRange(tenant: string, form: Form, signal?: AbortSignal): Promise<ApiResponse> {
    return this.answer(async () => {
      const start = timeParam(form, 'start', NaN);
      const end = timeParam(form, 'end', NaN);
      if (Number.isNaN(start)) throw new ApiError('bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp');
      if (Number.isNaN(end)) throw new ApiError('bad_data', 'invalid parameter "end": cannot parse "" to a valid timestamp');
      if (end < start) throw new ApiError('bad_data', 'end timestamp must not be before start time');
      const step = durationParam(form, 'step');
      if (step <= 0) throw new ApiError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
      if ((end - start) / step > MAX_POINTS) throw new ApiError('bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)');
      const expr = this.parse(first(form, 'query') ?? '');
      const inner = unwrapParens(expr);
      if (inner.type === 'StringLiteral' || inner.type === 'MatrixSelector' || inner.type === 'SubqueryExpr') {
        const kind = inner.type === 'StringLiteral' ? 'string' : 'range vector';
        throw new ApiError('bad_data', `invalid expression type "${kind}" for range query, must be Scalar or instant Vector`);
      }
      const result = await this.engine(tenant, form, signal).query(expr, { start, end, step });
      const steps = Math.floor((end - start) / step) + 1;
      const times = Float64Array.from({ length: steps }, (_, i) => start + i * step);
      return successPieces(dataPieces(result, times, true), result.warnings, result.infos);
    });
  }

  /** GET|POST /api/v1/series: the label sets of the series matching any `match[]`. */
  series(tenant: string, form: Form): Promise<ApiResponse> {
    return this.answer(async () => {
      const selectors = this.matchParams(form);
      if (selectors.length === 0) throw new ApiError('bad_data', 'no match[] parameter provided');
      const [start, end] = this.range(form);
      const querier = await this.deps.source(tenant).querier(start, end);
      try {
        const seen = new Map<string, string>();
        for (const matchers of selectors) {
          for (const s of await collectSeries(await querier.select(matchers, { seriesOnly: true }))) {
            const json = JSON.stringify(Object.fromEntries(s.labels.map((l) => [l.name, l.value])));
            seen.set(json, json);
          }
        }
        const { items, warnings } = this.limited([...seen.values()], form);
        return successBody(`[${items.join(',')}]`, warnings);
      } finally {
        await querier.close();
      }
    });
  }

  /** GET|POST /api/v1/labels: label names, optionally of the series matching `match[]`. */
  labels(tenant: string, form: Form): Promise<ApiResponse> {
    return this.answer(async () => this.strings(tenant, form, (q, m) => q.labelNames(m)));
  }

  /** GET /api/v1/label/<name>/values. */
  labelValues(tenant: string, name: string, form: Form): Promise<ApiResponse> {
    return this.answer(async () => {
      if (!isValidLabelName(name)) throw new ApiError('bad_data', `invalid label name: ${JSON.stringify(name)}`);
      return this.strings(tenant, form, (q, m) => q.labelValues(name, m));
    });
  }

  /** /api/v1/metadata: Myelin keeps no metric metadata yet, so an empty object. */
  metadata(): ApiResponse {
    return { status: 200, body: successBody('{}') };
  }

  /** /api/v1/query_exemplars: exemplars are accepted on write but not stored, so none. */
  exemplars(): ApiResponse {
    return { status: 200, body: successBody('[]') };
  }

  buildInfo(): ApiResponse {
    return { status: 200, body: successBody(JSON.stringify(BUILD_INFO)) };
  }

  private async strings(tenant: string, form: Form, read: (q: Awaited<ReturnType<Queryable['querier']>>, matchers: readonly Matcher[] | undefined) => Promise<string[]>): Promise<string> {
    const selectors = this.matchParams(form);
    const [start, end] = this.range(form);
    const querier = await this.deps.source(tenant).querier(start, end);
    try {
      const lists = selectors.length === 0 ? [await read(querier, undefined)] : await Promise.all(selectors.map((m) => read(querier, m)));
      const { items, warnings } = this.limited(sortedUnion(lists), form);
      return successBody(JSON.stringify(items), warnings);
    } finally {
      await querier.close();
    }
  }

  /** Prometheus 3's optional `limit` on series and label answers, with its warning when it cuts. */
  private limited<T>(items: T[], form: Form): { items: T[]; warnings: string[] } {
    const limit = Number(first(form, 'limit') ?? 0);
    if (!Number.isInteger(limit) || limit < 0) throw new ApiError('bad_data', `invalid parameter "limit": ${JSON.stringify(first(form, 'limit'))} is not a non-negative integer`);
    if (limit === 0 || items.length <= limit) return { items, warnings: [] };
    return { items: items.slice(0, limit), warnings: ['results truncated due to limit'] };
  }

  private range(form: Form): [number, number] {
    return [timeParam(form, 'start', MIN_TIME_MS), timeParam(form, 'end', MAX_TIME_MS)];
  }

  private matchParams(form: Form): Matcher[][] {
    return (form.get('match[]') ?? []).map((text) => {
      let expr;
      try {
        expr = parseExpr(text);
      } catch (e) {
        throw new ApiError('bad_data', `invalid parameter "match[]": ${(e as Error).message}`);
      }
      if (expr.type !== 'VectorSelector') throw new ApiError('bad_data', `invalid parameter "match[]": ${JSON.stringify(text)} is not a series selector`);
      // As Prometheus: a selector matching every series (every matcher accepts "") is refused.
      if (expr.matchers.every((m) => m.matches(''))) throw new ApiError('bad_data', 'invalid parameter "match[]": vector selector must contain at least one non-empty matcher');
      return expr.matchers;
    });
  }

  private parse(query: string) {
    try {
      return parseExpr(query);
    } catch (e) {
      if (e instanceof ParseError) throw new ApiError('bad_data', e.message);
      throw e;
    }
  }

  /** An engine for one query: the tenant's data behind the series limit, its sample limit and timeout. */
  private engine(tenant: string, form: Form, signal?: AbortSignal): Engine {
    const limits = this.deps.limits(tenant);
    const asked = first(form, 'timeout');
    let timeoutMs = limits.timeoutMs;
    if (asked !== undefined && asked !== '') {
      // A request may shorten its tenant's timeout, never lengthen or switch it off.
      const ms = durationParam(form, 'timeout');
      if (!(ms > 0)) throw new ApiError('bad_data', `invalid parameter "timeout": ${JSON.stringify(asked)} is not a positive duration`);
      timeoutMs = timeoutMs > 0 ? Math.min(timeoutMs, ms) : ms;
    }
    return new Engine(limitSeries(this.deps.source(tenant), limits.maxSeries), { maxSamples: limits.maxSamples, timeoutMs, now: () => this.deps.now(), signal });
  }

  private async answer(f: () => Promise<string | Iterable<string>>): Promise<ApiResponse> {
    try {
      return { status: 200, body: await f() };
    } catch (e) {
      const err = toApiError(e);
      return { status: err.status, body: errorBody(err.type, err.message) };
    }
  }
}

/** Which Prometheus error type a failure is. */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof ParseError) return new ApiError('bad_data', e.message);
  if (e instanceof EvalError && e.message.startsWith('query timed out')) return new ApiError('timeout', e.message);
  if (e instanceof EvalError && e.message.startsWith('query was canceled')) return new ApiError('canceled', e.message);
  if (e instanceof EvalError || e instanceof NotImplementedError || e instanceof QueryLimitError) return new ApiError('execution', e.message);
  if (e instanceof IncompleteResultError) return new ApiError('unavailable', e.message);
  return new ApiError('internal', e instanceof Error ? e.message : String(e));
}
