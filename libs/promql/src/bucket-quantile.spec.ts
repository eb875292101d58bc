import { bucketFraction, bucketQuantile, parseUpperBound } from './bucket-quantile';

type Buckets = Array<[number, number]>;

/** (upper bound, count) pairs as the columns the functions take. */
const columns = (buckets: Buckets) => [Float64Array.from(buckets, (b) => b[0]), Float64Array.from(buckets, (b) => b[1]), buckets.length] as const;

/** A histogram of 100 observations, shared by both functions' tests. */
const HISTOGRAM: Buckets = [
  [0.1, 10],
  [0.5, 50],
  [1, 90],
  [Infinity, 100],
];

const q = (phi: number, buckets: Buckets) => bucketQuantile(phi, ...columns(buckets)).value;
const frac = (lower: number, upper: number, buckets: Buckets) => bucketFraction(lower, upper, ...columns(buckets));

describe('bucketQuantile', () => {
  const buckets = HISTOGRAM;
  it.each([
    [0.5, 0.5], // rank 50 ends the 0.5 bucket
    [0.25, 0.25], // rank 25: 15 of 40 into (0.1, 0.5] -> 0.1 + 0.4 * 15/40
    [0.05, 0.05],
    [0.99, 1], // in the +Inf bucket: the highest finite bound
    [-1, -Infinity],
    [2, Infinity],
  ])('q=%d -> %d', (phi, want) => {
    expect(q(phi, buckets)).toBeCloseTo(want, 12);
  });

  it.each<[string, Array<[number, number]>]>([
    ['no +Inf bucket', [[1, 5]]],
    ['no observations', [[1, 0], [Infinity, 0]]],
    ['only +Inf', [[Infinity, 3]]],
  ])('is NaN with %s', (_, b) => {
    expect(q(0.5, b)).toBeNaN();
  });

  it('orders buckets, merges equal bounds and forces counts monotonic', () => {
    expect(q(0.5, [[Infinity, 10], [1, 3], [1, 2], [2, 4]])).toBeCloseTo(q(0.5, [[1, 5], [2, 5], [Infinity, 10]]), 12);
  });

  it.each<[string, Array<[number, number]>, boolean]>([
    ['a real decrease', [[1, 5], [2, 4], [Infinity, 6]], true],
    ['a float rounding artefact', [[1, 5], [2, 5 - 1e-15], [Infinity, 6]], false],
    ['monotonic counts', [[1, 5], [2, 5], [Infinity, 6]], false],
  ])('reports forced monotonicity for %s', (_, b, forced) => {
    expect(bucketQuantile(0.5, ...columns(b)).forcedMonotonic).toBe(forced);
  });

  it.each([
    ['+Inf', Infinity],
    ['0.5', 0.5],
    ['1e3', 1000],
    ['', undefined],
    ['x', undefined],
  ])('parses le=%j', (le, want) => {
    expect(parseUpperBound(le)).toBe(want);
  });
});

describe('bucketFraction', () => {
  const buckets = HISTOGRAM;
  it.each([
    [0, 0.5, 0.5], // all of the first two buckets
    [0.1, 0.3, 0.2], // half of (0.1, 0.5]: 20 of 100
    [-Infinity, Infinity, 1],
    [1, Infinity, 0.1], // the +Inf bucket's 10 count from 1 up
    [0.5, 0.5, 0], // lower >= upper
  ])('(%d, %d) -> %d', (lo, hi, want) => {
    expect(frac(lo, hi, buckets)).toBeCloseTo(want, 12);
  });

  it('is NaN for a NaN bound', () => {
    expect(frac(NaN, 1, buckets)).toBeNaN();
  });

  it('starts the first bucket at -Inf when its bound is not positive, interpolating nothing there', () => {
    // A bound inside (-Inf, 0] counts that whole bucket as below it: (15 - 10) / 20.
    expect(frac(-5, 0.5, [[0, 10], [1, 20], [Infinity, 20]])).toBeCloseTo(0.25, 12);
  });

  it('is NaN without a +Inf bucket', () => {
    expect(frac(0, 1, [[1, 5]])).toBeNaN();
  });
});
