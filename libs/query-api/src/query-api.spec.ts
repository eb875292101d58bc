import { type Labels, type Matcher } from '@myelin/model';
import { IncompleteResultError, type Queryable, type Series, seriesSetOf } from '@myelin/storage';
import { formOf } from './params';
import { QueryApi, type QueryLimits } from './query-api';

const L = (o: Record<string, string>): Labels =>
  Object.keys(o)
    .sort()
    .map((name) => ({ name, value: o[name] }));
const S = (labels: Record<string, string>, samples: Array<[number, number]>): Series => ({ labels: L(labels), timestamps: Float64Array.from(samples, (s) => s[0]), values: Float64Array.from(samples, (s) => s[1]) });

function queryable(all: Series[], fail?: Error): Queryable {
  return {
    querier: async (mint, maxt) => ({
      select: async (ms: readonly Matcher[]) => {
        if (fail) throw fail;
        return seriesSetOf(
          all
            .filter((s) => ms.every((m) => m.matchesLabels(s.labels)))
            .map((s) => {
              const keep = Array.from(s.timestamps, (t) => t >= mint && t <= maxt);
              return { labels: s.labels, timestamps: s.timestamps.filter((_, i) => keep[i]), values: s.values.filter((_, i) => keep[i]) };
            }),
        );
      },
      labelNames: async () => [...new Set(all.flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: async (name: string) => [...new Set(all.flatMap((s) => s.labels.filter((l) => l.name === name).map((l) => l.value)))].sort(),
      close: async () => undefined,
    }),
  };
}

const DATA = [
  S({ __name__: 'up', job: 'a' }, [
    [0, 1],
    [15_000, 1],
    [30_000, 0],
  ]),
  S({ __name__: 'up', job: 'b' }, [[0, 1]]),
  S({ __name__: 'requests_total', job: 'a' }, [
    [0, 0],
    [60_000, 60],
  ]),
];
const NO_LIMITS: QueryLimits = { timeoutMs: 0, maxSamples: 0, maxSeries: 0 };

function api(opts: { limits?: Partial<QueryLimits>; fail?: Error; tenants?: Record<string, Series[]> } = {}) {
  return new QueryApi({
    source: (tenant) => queryable(opts.tenants?.[tenant] ?? DATA, opts.fail),
    limits: () => ({ ...NO_LIMITS, ...opts.limits }),
    now: () => 30_000,
  });
}

const json = async (p: Promise<{ status: number; body: string | Iterable<string> }>) => {
  const r = await p;
  return { status: r.status, body: JSON.parse(typeof r.body === 'string' ? r.body : [...r.body].join('')) };
};

describe('QueryApi: query and query_range', () => {
  it('answers an instant query at `time` (default now) in Prometheus\'s format', async () => {
    expect(await json(api().query('t', formOf({ query: 'up' })))).toEqual({
      status: 200,
      body: { status: 'success', data: { resultType: 'vector', result: [{ metric: { __name__: 'up', job: 'a' }, value: [30, '0'] }, { metric: { __name__: 'up', job: 'b' }, value: [30, '1'] }] } },
    });
  });

  it.each<[string, Record<string, string>, unknown]>([
    ['a scalar', { query: '1 + 1', time: '10' }, { resultType: 'scalar', result: [10, '2'] }],
    ['a string', { query: '"hi"', time: '10.5' }, { resultType: 'string', result: [10.5, 'hi'] }],
    ['a range vector', { query: 'up{job="a"}[20s]', time: '30' }, { resultType: 'matrix', result: [{ metric: { __name__: 'up', job: 'a' }, values: [[15, '1'], [30, '0']] }] }],
    ['NaN and Inf as Prometheus writes them', { query: 'vector(0/0) or label_replace(vector(1/0), "x", "y", "", "")', time: '0' }, { resultType: 'vector', result: [{ metric: {}, value: [0, 'NaN'] }, { metric: { x: 'y' }, value: [0, '+Inf'] }] }],
  ])('answers %s', async (_, form, data) => {
    expect((await json(api().query('t', formOf(form)))).body.data).toEqual(data);
  });

  it('answers a range query as a matrix, a point per step where a sample is in the lookback', async () => {
    const r = await json(api().queryRange('t', formOf({ query: 'up{job="a"}', start: '0', end: '30', step: '15s' })));
    expect(r.body.data).toEqual({ resultType: 'matrix', result: [{ metric: { __name__: 'up', job: 'a' }, values: [[0, '1'], [15, '1'], [30, '0']] }] });
  });

  it('answers a scalar range query as one series without labels', async () => {
    const r = await json(api().queryRange('t', formOf({ query: 'time()', start: '0', end: '20', step: '10' })));
    expect(r.body.data).toEqual({ resultType: 'matrix', result: [{ metric: {}, values: [[0, '0'], [10, '10'], [20, '20']] }] });
  });

  it('passes warnings and infos on', async () => {
    const r = await json(api().queryRange('t', formOf({ query: 'sort(up)', start: '0', end: '30', step: '15' })));
    expect(r.body.warnings).toEqual(['PromQL warning: sort is ineffective for range queries since results are always ordered by labels']);
  });

  it.each<[string, Record<string, string>, number, string, string]>([
    ['a parse error', { query: 'sum(', start: '0', end: '5', step: '1' }, 400, 'bad_data', '1:5: parse error: unexpected end of input'],
    ['end before start', { query: 'up', start: '10', end: '5', step: '1' }, 400, 'bad_data', 'end timestamp must not be before start time'],
    ['a zero step', { query: 'up', start: '0', end: '5', step: '0' }, 400, 'bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer'],
    ['too many points', { query: 'up', start: '0', end: '20000', step: '1' }, 400, 'bad_data', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
    ['a missing start', { query: 'up', end: '5', step: '1' }, 400, 'bad_data', 'invalid parameter "start": cannot parse "" to a valid timestamp'],
    ['a range vector', { query: 'up[1m]', start: '0', end: '5', step: '1' }, 400, 'bad_data', 'invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
    ['a range vector in parentheses', { query: '((up[1m]))', start: '5', end: '5', step: '1' }, 400, 'bad_data', 'invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
    ['a timeout that would switch the limit off', { query: 'up', start: '0', end: '5', step: '1', timeout: '0s' }, 400, 'bad_data', 'invalid parameter "timeout": "0s" is not a positive duration'],
    ['an evaluation error', { query: 'up{job="a"} + on() up', start: '0', end: '5', step: '1' }, 422, 'execution', 'found duplicate series for the match group {} on the right hand-side of the operation: [{__name__="up", job="a"}, {__name__="up", job="b"}];many-to-many matching not allowed: matching labels must be unique on one side'],
  ])('refuses %s', async (_, form, status, errorType, error) => {
    const r = await json(api().queryRange('t', formOf(form)));
    expect(r).toEqual({ status, body: { status: 'error', errorType, error } });
  });

  it.each<[string, Partial<QueryLimits>, string]>([
    ['max series', { maxSeries: 1 }, 'the query hit the max number of series limit (limit: 1 series)'],
    ['max samples', { maxSamples: 2 }, 'query processing would load too many samples into memory in query execution'],
  ])('applies the tenant\'s %s limit as an execution error', async (_, limits, error) => {
    expect(await json(api({ limits }).query('t', formOf({ query: 'up[1m]' })))).toEqual({ status: 422, body: { status: 'error', errorType: 'execution', error } });
  });

  it('lets a request shorten its timeout, answering 503 timeout when it runs out', async () => {
    let t = 0;
    const slow = new QueryApi({ source: () => queryable(DATA), limits: () => ({ ...NO_LIMITS, timeoutMs: 60_000 }), now: () => (t += 1_000) });
    expect((await json(slow.query('t', formOf({ query: 'up', timeout: '2m' })))).status).toBe(200);
    t = 0;
    expect(await json(slow.query('t', formOf({ query: 'sum(up) + sum(up) + sum(up)', timeout: '1500ms' })))).toEqual({ status: 503, body: { status: 'error', errorType: 'timeout', error: 'query timed out in query execution' } });
  });

  it('answers 499 canceled when the request\'s signal aborted (the client went away)', async () => {
    const gone = new AbortController();
    gone.abort();
    expect(await json(api().queryRange('t', formOf({ query: 'up', start: '0', end: '5', step: '1' }), gone.signal))).toEqual({ status: 499, body: { status: 'error', errorType: 'canceled', error: 'query was canceled in query execution' } });
    expect((await json(api().queryRange('t', formOf({ query: 'up', start: '0', end: '5', step: '1' }), new AbortController().signal))).status).toBe(200);
  });

  it('answers 503 unavailable when too many sources failed', async () => {
    const r = await json(api({ fail: new IncompleteResultError('2 of 3 sources failed') }).query('t', formOf({ query: 'up' })));
    expect(r).toEqual({ status: 503, body: { status: 'error', errorType: 'unavailable', error: '2 of 3 sources failed' } });
  });

  it('reads only the asking tenant\'s data', async () => {
    const tenants = { t1: [S({ __name__: 'up', job: 'one' }, [[0, 1]])], t2: [S({ __name__: 'up', job: 'two' }, [[0, 1]])] };
    const r = await json(api({ tenants }).query('t2', formOf({ query: 'up', time: '0' })));
    expect(r.body.data.result.map((x: { metric: { job: string } }) => x.metric.job)).toEqual(['two']);
  });
});

describe('QueryApi: series and labels', () => {
  it('lists the series matching any match[], once each', async () => {
    const r = await json(api().series('t', formOf({ 'match[]': ['up', '{job="a"}'] })));
    expect(r.body.data).toEqual([{ __name__: 'up', job: 'a' }, { __name__: 'up', job: 'b' }, { __name__: 'requests_total', job: 'a' }]);
  });

  it.each<[string, Record<string, string | string[]>, string]>([
    ['no match[]', {}, 'no match[] parameter provided'],
    ['a match[] that is not a selector', { 'match[]': 'sum(up)' }, 'invalid parameter "match[]": "sum(up)" is not a series selector'],
    ['a match[] matching everything', { 'match[]': '{job=~".*"}' }, 'invalid parameter "match[]": 1:1: parse error: vector selector must contain at least one non-empty matcher'],
  ])('refuses %s', async (_, form, error) => {
    expect(await json(api().series('t', formOf(form)))).toEqual({ status: 400, body: { status: 'error', errorType: 'bad_data', error } });
  });

  it('lists label names and values, sorted', async () => {
    expect((await json(api().labels('t', formOf({})))).body.data).toEqual(['__name__', 'job']);
    expect((await json(api().labelValues('t', '__name__', formOf({})))).body.data).toEqual(['requests_total', 'up']);
  });

  it('cuts an answer at `limit` with Prometheus\'s warning', async () => {
    const r = await json(api().labelValues('t', '__name__', formOf({ limit: '1' })));
    expect(r.body).toEqual({ status: 'success', data: ['requests_total'], warnings: ['results truncated due to limit'] });
  });

  it('answers buildinfo, metadata and exemplars as Prometheus shapes them', async () => {
    expect((await json(Promise.resolve(api().buildInfo()))).body.data).toHaveProperty('version');
    expect((await json(Promise.resolve(api().metadata()))).body).toEqual({ status: 'success', data: {} });
    expect((await json(Promise.resolve(api().exemplars()))).body).toEqual({ status: 'success', data: [] });
  });

  it('streams a query answer in pieces, one per series', async () => {
    const r = await api().queryRange('t', formOf({ query: '{job="a"}', start: '0', end: '30', step: '15' }));
    expect(typeof r.body).not.toBe('string');
    const pieces = [...(r.body as Iterable<string>)];
    expect(pieces.length).toBeGreaterThanOrEqual(2 + 2);
    expect(JSON.parse(pieces.join('')).data.result).toHaveLength(2);
  });
});
