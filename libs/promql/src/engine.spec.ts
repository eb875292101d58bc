import { type Labels, type Matcher } from '@myelin/model';
import { type Queryable, type SampleBuffer, type Series, seriesSetOf } from '@myelin/storage';
import { Engine, EvalError, isStaleNaN, mergeSameLabels, type QueryValue } from './engine';

const STALE = new Float64Array(new Uint32Array([2, 0x7ff00000]).buffer)[0];
/** Stands for the staleness marker in the sample tables below. */
const STALE_MARK = -0.5;

function series(labels: Record<string, string>, samples: Array<[number, number]>): Series {
  const ls: Labels = Object.entries(labels).map(([name, value]) => ({ name, value }));
  // Written one by one into the typed array: V8 canonicalises NaNs kept in plain arrays, which
  // would erase the staleness marker's bits.
  const values = new Float64Array(samples.length);
  samples.forEach((s, i) => (values[i] = s[1] === STALE_MARK ? STALE : s[1]));
  return { labels: ls, timestamps: Float64Array.from(samples, (s) => s[0]), values };
}

/** The series as a Queryable; `onSelect` runs as each select is answered. */
function queryable(all: Series[], onSelect: () => void = () => undefined): Queryable {
  return {
    querier: async () => ({
      select: async (ms: readonly Matcher[]) => {
        onSelect();
        return seriesSetOf(all.filter((s) => ms.every((m) => m.matchesLabels(s.labels))));
      },
      labelNames: async () => [],
      labelValues: async () => [],
      close: async () => undefined,
    }),
  };
}

function vector(v: QueryValue) {
  if (v.type !== 'vector') throw new Error(`expected a vector, got ${v.type}`);
  return v.series.map((s) => ({ labels: Object.fromEntries(s.labels.map((l) => [l.name, l.value])), values: [...s.values].map((x, i) => (s.present[i] ? x : null)) }));
}

describe('Engine over a Queryable', () => {
  const data = queryable([
    series({ __name__: 'm', a: '1' }, [
      [0, 1],
      [60_000, 2],
    ]),
    series({ __name__: 'm', a: '2' }, [
      [0, 10],
      [30_000, STALE_MARK],
    ]),
  ]);
  const engine = new Engine(data);

  it.each([
    ['m', 0, [{ a: '1', v: 1 }, { a: '2', v: 10 }]],
    ['m', 30_000, [{ a: '1', v: 1 }]], // a=2 went stale at 30s
    ['m', 359_999, [{ a: '1', v: 2 }]], // within 5m of 60s
    ['m', 360_000, []], // the lookback window (t-5m, t] is open on the left
    ['m offset 1m', 120_000, [{ a: '1', v: 2 }]],
    ['m @ 0', 900_000, [{ a: '1', v: 1 }, { a: '2', v: 10 }]],
  ])('%s at %d ms', async (q, t, want) => {
    const got = vector(await engine.evaluate(q, { start: t, end: t, step: 0 }));
    expect(got.map((s) => ({ a: s.labels.a, v: s.values[0] }))).toEqual(want);
  });

  it.each(['sum by (g) (rate(c[2m]))', 'sum without (i) (increase(c[3m]))', 'sum(avg_over_time(c[2m]))', 'sum by (__name__) (last_over_time(c[2m]))'])(
    '%s: summed as each series is computed, the same as summing the whole vector',
    async (q) => {
      // Series ending one after another: later steps have fewer members.
      const counters = queryable(
        Array.from({ length: 6 }, (_, i) =>
          series({ __name__: 'c', g: String(i % 2), i: String(i) }, Array.from({ length: 40 - 5 * i }, (_, k): [number, number] => [k * 15_000, (k % (i + 5)) * (i + 1) + 0.1 * k])),
        ),
      );
      const e = new Engine(counters);
      const range = { start: 60_000, end: 540_000, step: 30_000 };
      // A filter keeping every value (and the name) hides the range function from the aggregation: the plain path.
      const plain = q.replace(/\)\)$/, ') > -Inf)');
      const fused = vector(await e.evaluate(q, range));
      expect(fused.length).toBeGreaterThan(0);
      expect(fused).toEqual(vector(await e.evaluate(plain, range)));
    },
  );

  it('drops the metric name on arithmetic, keeps it on a filtering comparison', async () => {
    const t = { start: 0, end: 0, step: 0 };
    expect(vector(await engine.evaluate('m * 2', t))).toEqual([
      { labels: { a: '1' }, values: [2] },
      { labels: { a: '2' }, values: [20] },
    ]);
    expect(vector(await engine.evaluate('m > 5', t))).toEqual([{ labels: { __name__: 'm', a: '2' }, values: [10] }]);
    expect(vector(await engine.evaluate('5 < bool m', t))).toEqual([
      { labels: { a: '1' }, values: [0] },
      { labels: { a: '2' }, values: [1] },
    ]);
  });

  it.each([
    ['abs(-m{a="1"})', [2]], // the sample at 60s
    ['sgn(m{a="1"} - 5)', [-1]],
    ['deg(vector(pi()))', [180]],
    ['sqrt(vector(time()))', [10]],
  ])('%s', async (q, want) => {
    const got = vector(await engine.evaluate(q, { start: 100_000, end: 100_000, step: 0 }));
    expect(got.map((s) => s.values[0])).toEqual(want);
  });

  it.each([
    ['sum(m)', [{}], [11]],
    ['sum by (a) (m)', [{ a: '1' }, { a: '2' }], [1, 10]],
    ['max without (a) (m)', [{}], [10]],
    ['count(m)', [{}], [2]],
    ['avg(m)', [{}], [5.5]],
    ['stddev(m)', [{}], [4.5]],
    ['quantile(0.5, m)', [{}], [5.5]],
    ['topk(1, m)', [{ __name__: 'm', a: '2' }], [10]],
    ['bottomk(1, m)', [{ __name__: 'm', a: '1' }], [1]],
    // The name marked for dropping by `* 1` is still there for `by (__name__)`; both become {}.
    ['sum by (__name__) (m * 1)', [{}], [11]],
  ])('%s', async (q, labels, values) => {
    const got = vector(await engine.evaluate(q, { start: 0, end: 0, step: 0 }));
    expect(got.map((s) => s.labels)).toEqual(labels);
    expect(got.map((s) => s.values[0])).toEqual(values);
  });

  it('refuses series that only differ by a name dropped at the end, as Prometheus does', async () => {
    const two = new Engine(queryable([series({ __name__: 'x', a: '1' }, [[0, 1]]), series({ __name__: 'y', a: '1' }, [[0, 2]])]));
    const t = { start: 0, end: 0, step: 0 };
    await expect(two.evaluate('-{a="1"}', t)).rejects.toThrow('vector cannot contain metrics with the same labelset');
    await expect(two.evaluate('sum by (__name__) (-{a="1"})', t)).rejects.toThrow('vector cannot contain metrics with the same labelset');
    expect(vector(await two.evaluate('sum by (__name__, a) ({a="1"})', t)).map((s) => s.labels.__name__)).toEqual(['x', 'y']);
    expect(vector(await two.evaluate('sum(-{a="1"})', t))).toEqual([{ labels: {}, values: [-3] }]);
  });

  it.each([
    // Inner points at multiples of 1m inside (20s, 200s]: 60, 120, 180.
    ['sum_over_time(vector(time())[3m:1m])', 200_000, 360],
    ['count_over_time(vector(time())[3m:])', 200_000, 3],
    // offset moves the window to (-40s, 140s]: 0, 60, 120.
    ['sum_over_time(vector(time())[3m:1m] offset 1m)', 200_000, 180],
    ['max_over_time(vector(time())[3m:1m] @ 100)', 900_000, 60],
  ])('subquery %s at %d ms', async (q, t, want) => {
    expect(vector(await engine.evaluate(q, { start: t, end: t, step: 0 })).map((s) => s.values[0])).toEqual([want]);
  });

  it.each([
    ['absent(m{a="9", a!="x"})', 0, [{ labels: {}, values: [1] }]], // a label with another matcher is left out
    ['absent(m{a="9"})', 0, [{ labels: { a: '9' }, values: [1] }]],
    ['absent(m{a="1"})', 0, []],
    ['absent_over_time(m{a="9"}[1m])', 0, [{ labels: { a: '9' }, values: [1] }]],
    ['absent_over_time(m{a="1"}[1m])', 30_000, []],
    ['absent_over_time(m{a="1"}[1m])', 200_000, [{ labels: { a: '1' }, values: [1] }]], // (140s, 200s] is empty
  ])('%s at %d ms', async (q, t, want) => {
    expect(vector(await engine.evaluate(q, { start: t, end: t, step: 0 }))).toEqual(want);
  });

  it('scalar() is NaN unless exactly one series has a value', async () => {
    const one = await engine.evaluate('scalar(m{a="1"})', { start: 0, end: 0, step: 0 });
    const two = await engine.evaluate('scalar(m)', { start: 0, end: 0, step: 0 });
    expect(one.type === 'scalar' && [...one.values]).toEqual([1]);
    expect(two.type === 'scalar' && [...two.values]).toEqual([NaN]);
  });

  it('evaluates a range query step by step, leaving gaps where no sample is in the lookback', async () => {
    const got = vector(await engine.evaluate('m{a="1"}', { start: 0, end: 600_000, step: 300_000 }));
    expect(got).toEqual([{ labels: { __name__: 'm', a: '1' }, values: [1, 2, null] }]);
  });
});

describe('Engine annotations and range-vector results', () => {
  const data = queryable([
    series({ __name__: 'requests_total', a: '1' }, [
      [0, 1],
      [30_000, 2],
      [60_000, 3],
    ]),
    series({ __name__: 'temperature', a: '1' }, [
      [0, 20],
      [60_000, 21],
    ]),
    series({ __name__: 'h_bucket', le: '1' }, [[60_000, 5]]),
    series({ __name__: 'h_bucket', le: '+Inf' }, [[60_000, 4]]),
    series({ __name__: 'h_bucket', le: 'x' }, [[60_000, 4]]),
  ]);
  const engine = new Engine(data);
  const at = (t: number) => ({ start: t, end: t, step: 0 });

  it.each<[string, string[], string[]]>([
    ['rate(requests_total[1m])', [], []],
    ['rate(temperature[2m])', [], ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature"']],
    ['quantile(1.5, temperature)', ['PromQL warning: quantile value should be between 0 and 1, got 1.5'], []],
    ['quantile_over_time(NaN, temperature[2m])', ['PromQL warning: quantile value should be between 0 and 1, got NaN'], []],
    ['limit_ratio(-1.1, temperature)', ['PromQL warning: ratio value should be between -1 and 1, got -1.1, capping to -1'], []],
    [
      'histogram_quantile(0.5, h_bucket)',
      ['PromQL warning: bucket label "le" is missing or has a malformed value of "x" for metric name "h_bucket"'],
      ['PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "h_bucket"'],
    ],
  ])('%s', async (q, warnings, infos) => {
    const result = await engine.query(q, at(60_000));
    expect({ warnings: result.warnings, infos: result.infos }).toEqual({ warnings, infos });
  });

  it('warns that sort() is ineffective in a range query only', async () => {
    expect((await engine.query('sort(temperature)', at(60_000))).warnings).toEqual([]);
    expect((await engine.query('sort(temperature)', { start: 0, end: 60_000, step: 30_000 })).warnings).toEqual(['PromQL warning: sort is ineffective for range queries since results are always ordered by labels']);
  });

  it('answers an instant query of x[r] with the samples in (t - r, t], and refuses it as a range query', async () => {
    const value = await engine.evaluate('requests_total[1m]', at(60_000));
    expect(value.type === 'matrix' && value.series.map((s) => [[...s.timestamps], [...s.values]])).toEqual([[[30_000, 60_000], [2, 3]]]);
    await expect(engine.evaluate('requests_total[1m]', { start: 0, end: 60_000, step: 30_000 })).rejects.toThrow('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
  });

  it('refuses count_values with an invalid label name before evaluating, quoting it as Go does', async () => {
    await expect(engine.evaluate('count_values("a\\xc5z", temperature)', at(0))).rejects.toThrow('invalid label name "a\\xc5z"');
  });
});

describe('Engine limits', () => {
  const data = queryable([
    series({ __name__: 'm', a: '1' }, [
      [0, 1],
      [15_000, 2],
      [30_000, 3],
    ]),
  ]);
  const t = { start: 30_000, end: 30_000, step: 0 };

  /** The series of `data` as an encoded source would give them: samples only through decodeInto, which counts its calls. */
  function decodingOnly() {
    const calls = { decodeInto: 0, buffers: new Set<SampleBuffer>() };
    const wrapped = (s: Series): Series => ({
      labels: s.labels,
      get timestamps(): Float64Array {
        throw new Error('read through decodeInto only');
      },
      get values(): Float64Array {
        throw new Error('read through decodeInto only');
      },
      decodeInto(into: SampleBuffer) {
        calls.decodeInto++;
        calls.buffers.add(into);
        into.reserve(s.timestamps.length);
        into.timestamps.set(s.timestamps);
        into.values.set(s.values);
        return { timestamps: into.timestamps.subarray(0, s.timestamps.length), values: into.values.subarray(0, s.values.length) };
      },
    });
    const all = [
      series({ __name__: 'm', a: '1' }, [[0, 1], [15_000, 2], [30_000, 3]]),
      series({ __name__: 'm', a: '2' }, [[0, 10], [15_000, 20], [30_000, 40]]),
    ].map(wrapped);
    return { calls, source: queryable(all) };
  }

  it('reads range selectors through decodeInto, one buffer for every series, and counts what it loads', async () => {
    const { calls, source } = decodingOnly();
    const v = await new Engine(source).evaluate('sum_over_time(m[1m])', t);
    expect(vector(v)).toEqual([
      { labels: { a: '1' }, values: [6] },
      { labels: { a: '2' }, values: [70] },
    ]);
    expect(calls.decodeInto).toBe(2);
    expect(calls.buffers.size).toBe(1);
    await expect(new Engine(source, { maxSamples: 5 }).evaluate('sum_over_time(m[1m])', t)).rejects.toThrow('query processing would load too many samples into memory in query execution');
  });

  it('copies a range vector answer out of the shared buffer', async () => {
    const { source } = decodingOnly();
    const v = await new Engine(source).evaluate('m[1m]', t);
    if (v.type !== 'matrix') throw new Error(`expected a matrix, got ${v.type}`);
    // Without the copy both would show the last series decoded into the buffer.
    expect(v.series.map((s) => [...s.values])).toEqual([
      [1, 2, 3],
      [10, 20, 40],
    ]);
  });

  it('refuses a query loading more than -query.max-samples, with Prometheus\'s error', async () => {
    await expect(new Engine(data, { maxSamples: 3 }).evaluate('sum_over_time(m[1m])', t)).resolves.toBeDefined();
    await expect(new Engine(data, { maxSamples: 2 }).evaluate('sum_over_time(m[1m])', t)).rejects.toThrow('query processing would load too many samples into memory in query execution');
  });

  it('counts a subquery\'s points against max samples, not only the samples it loads', async () => {
    // 3 loaded samples, but the subquery makes a point per second over a minute.
    await expect(new Engine(data, { maxSamples: 30 }).evaluate('max_over_time(m[1m:1s])', t)).rejects.toThrow('query processing would load too many samples into memory in query execution');
    await expect(new Engine(data, { maxSamples: 100 }).evaluate('max_over_time(m[1m:1s])', t)).resolves.toBeDefined();
  });

  it('refuses an answer with more points than max samples, however few it loaded', async () => {
    const range = { start: 0, end: 600_000, step: 1_000 }; // 601 steps of vector(1)
    await expect(new Engine(data, { maxSamples: 600 }).evaluate('vector(1)', range)).rejects.toThrow('query processing would load too many samples into memory in query execution');
    await expect(new Engine(data, { maxSamples: 601 }).evaluate('vector(1)', range)).resolves.toBeDefined();
  });

  it('stops an evaluation past its timeout, by the injected clock', async () => {
    let clock = 0;
    const now = () => (clock += 1_000); // every look at the clock costs a second
    await expect(new Engine(data, { timeoutMs: 60_000, now }).evaluate('m', t)).resolves.toBeDefined();
    clock = 0;
    await expect(new Engine(data, { timeoutMs: 1_500, now }).evaluate('sum(rate(m[1m])) + sum(m)', t)).rejects.toThrow('query timed out in query execution');
  });
});

describe('Engine cancellation', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => series({ __name__: 'm', i: String(i) }, [[0, i], [60_000, i + 1]]));
  const range = { start: 0, end: 60_000, step: 15_000 };

  it('stops when its signal aborts mid-evaluation, and not before', async () => {
    const gone = new AbortController();
    // The source aborts the query while the engine is reading it (as a client closing its connection would).
    const aborting = queryable(many(5), () => gone.abort());
    await expect(new Engine(queryable(many(5)), { signal: new AbortController().signal }).evaluate('sum(rate(m[1m]))', range)).resolves.toBeDefined();
    await expect(new Engine(aborting, { signal: gone.signal }).evaluate('sum(rate(m[1m]))', range)).rejects.toThrow('query was canceled in query execution');
  });

  it('gives the event loop a turn during a long evaluation, so an abort from elsewhere is seen', async () => {
    const gone = new AbortController();
    // The abort comes from another task (a socket's close event), queued while the data arrives.
    const source = queryable(many(50), () => setImmediate(() => gone.abort()));
    let clock = 0;
    const now = () => (clock += 25); // every look at the clock: 25 ms of evaluation
    await expect(new Engine(source, { signal: gone.signal, now }).evaluate('sum(rate(m[1m]))', range)).rejects.toThrow('query was canceled in query execution');
  });
});

describe('mergeSameLabels', () => {
  const ls = [{ name: 'a', value: '1' }];
  it('joins series that share labels but never a step', () => {
    const merged = mergeSameLabels([
      { labels: ls, values: Float64Array.of(1, 0), present: Uint8Array.of(1, 0) },
      { labels: ls, values: Float64Array.of(0, 2), present: Uint8Array.of(0, 1) },
    ]);
    expect(merged).toHaveLength(1);
    expect([...merged[0].values]).toEqual([1, 2]);
  });

  it('refuses series that share labels at the same step, with Prometheus\'s error', () => {
    const clash = () => mergeSameLabels([
      { labels: ls, values: Float64Array.of(1), present: Uint8Array.of(1) },
      { labels: ls, values: Float64Array.of(2), present: Uint8Array.of(1) },
    ]);
    expect(clash).toThrow(EvalError);
    expect(clash).toThrow('vector cannot contain metrics with the same labelset');
  });

  it('recognises only the exact staleness bit pattern', () => {
    expect(isStaleNaN(STALE)).toBe(true);
    expect(isStaleNaN(NaN)).toBe(false);
  });
});
