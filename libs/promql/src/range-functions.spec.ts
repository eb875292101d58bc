import { neverDrops, quantile, RANGE_FUNCTIONS, type Window } from './range-functions';

/** A window over every sample given, [t seconds, value] pairs, evaluated at rangeEnd. */
function win(samples: Array<[number, number]>, rangeStartS: number, rangeEndS: number): Window {
  const ts = new Float64Array(samples.length);
  const vs = new Float64Array(samples.length);
  samples.forEach(([t, v], i) => {
    ts[i] = t * 1000;
    vs[i] = v;
  });
  // As the engine sets it for the whole series.
  return { ts, vs, lo: 0, hi: samples.length, rangeStart: rangeStartS * 1000, rangeEnd: rangeEndS * 1000, evalTime: rangeEndS * 1000, neverDrops: neverDrops(vs) };
}

const counter: Array<[number, number]> = [10, 20, 30, 40, 50, 60].map((t) => [t, t]);

describe('neverDrops', () => {
  it.each<[string, number[], boolean]>([
    ['empty', [], true],
    ['rising with repeats', [1, 2, 2, 5], true],
    ['one drop', [1, 3, 2, 4], false],
    ['a drop at the end', [1, 2, 3, 0], false],
    ['NaN is not a drop', [1, NaN, 0.5], true],
  ])('%s', (_name, values, expected) => {
    expect(neverDrops(Float64Array.from(values))).toBe(expected);
  });

  it('lets rate skip the reset search without changing its answer', () => {
    const w = win(counter, 0, 60);
    expect(w.neverDrops).toBe(true);
    expect(RANGE_FUNCTIONS.rate({ ...w, neverDrops: true }, NaN)).toBe(RANGE_FUNCTIONS.rate({ ...w, neverDrops: false }, NaN));
  });
});

describe('range functions', () => {
  it.each<[string, Window, number, number | undefined]>([
    // 50 over the 50 s sampled, extrapolated 10 s to the window's start: 60 in 60 s.
    ['rate', win(counter, 0, 60), NaN, 1],
    ['increase', win(counter, 0, 60), NaN, 60],
    // A reset (10 -> 2) adds back 10: 7 over 20 s sampled, extrapolated to 30 s.
    [
      'increase',
      win(
        [
          [10, 5],
          [20, 10],
          [30, 2],
        ],
        0,
        30,
      ),
      NaN,
      10.5,
    ],
    ['rate', win([[10, 1]], 0, 60), NaN, undefined],
    ['irate', win(counter, 0, 60), NaN, 1],
    ['idelta', win(counter, 0, 60), NaN, 10],
    ['sum_over_time', win(counter, 0, 60), NaN, 210],
    ['avg_over_time', win(counter, 0, 60), NaN, 35],
    ['count_over_time', win(counter, 0, 60), NaN, 6],
    ['count_over_time', win([], 0, 60), NaN, undefined],
    ['min_over_time', win([[1, NaN], [2, 3], [3, 1]], 0, 60), NaN, 1],
    ['max_over_time', win([[1, 3], [2, NaN], [3, 1]], 0, 60), NaN, 3],
    ['stdvar_over_time', win([[1, 2], [2, 4], [3, 4], [4, 4], [5, 5], [6, 5], [7, 7], [8, 9]], 0, 60), NaN, 4],
    ['stddev_over_time', win([[1, 2], [2, 4], [3, 4], [4, 4], [5, 5], [6, 5], [7, 7], [8, 9]], 0, 60), NaN, 2],
    ['quantile_over_time', win([[1, 4], [2, 1], [3, 3], [4, 2]], 0, 60), 0.5, 2.5],
    ['changes', win([[1, 1], [2, 1], [3, 2], [4, NaN], [5, NaN], [6, 3]], 0, 60), NaN, 3],
    ['resets', win([[1, 3], [2, 1], [3, 2], [4, 0]], 0, 60), NaN, 2],
    ['deriv', win([[0, 0], [10, 20]], -1, 10), NaN, 2],
    // y = 2x; the line's value at the evaluation time (10 s) is 20, 5 s later 30.
    ['predict_linear', win([[0, 0], [10, 20]], -1, 10), 5, 30],
  ])('%s', (name, w, param, want) => {
    const got = RANGE_FUNCTIONS[name](w, param);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toBeCloseTo(want, 10);
  });

  it.each([
    [0.5, [1, 2, 3, 4], 2.5],
    [0, [3, 1], 1],
    [1, [3, 1], 3],
    [-1, [1], -Infinity],
    [2, [1], Infinity],
    [NaN, [1], NaN],
  ])('quantile(%d, %j) = %d', (q, values, want) => {
    expect(quantile(q, Float64Array.from(values))).toBe(want);
  });
});
