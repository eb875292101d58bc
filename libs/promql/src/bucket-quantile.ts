/**
 * histogram_quantile over classic buckets (series with an `le` label), as Prometheus 3's
 * BucketQuantile: buckets sorted by upper bound, equal bounds merged, counts forced monotonic
 * (tiny float deltas ignored), linear interpolation inside the bucket holding the rank.
 */
const SMALL_DELTA = 1e-12;

export function bucketQuantile(q: number, upper: Float64Array, counts: Float64Array, n: number): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => upper[a] - upper[b]);
  const ub: number[] = [];
  const cnt: number[] = [];
  for (const i of order) {
    if (ub.length > 0 && ub[ub.length - 1] === upper[i]) cnt[cnt.length - 1] += counts[i];
    else {
      ub.push(upper[i]);
      cnt.push(counts[i]);
    }
  }
  if (ub.length === 0 || ub[ub.length - 1] !== Infinity) return NaN;
  let prev = cnt[0];
  for (let i = 1; i < cnt.length; i++) {
    const cur = cnt[i];
    if (cur === prev) continue;
    if (Math.abs(cur - prev) <= SMALL_DELTA * Math.max(Math.abs(cur), Math.abs(prev)) || cur < prev) {
      cnt[i] = prev;
      continue;
    }
    prev = cur;
  }
  if (ub.length < 2) return NaN;
  const observations = cnt[cnt.length - 1];
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = 0;
  while (b < ub.length - 1 && !(cnt[b] >= rank)) b++;
  if (b === ub.length - 1) return ub[ub.length - 2];
  if (b === 0 && ub[0] <= 0) return ub[0];
  let start = 0;
  let count = cnt[b];
  if (b > 0) {
    start = ub[b - 1];
    count -= cnt[b - 1];
    rank -= cnt[b - 1];
  }
  return start + (ub[b] - start) * (rank / count);
}

/** An `le` value as Go's ParseFloat reads it ("+Inf", "1e3", ...), or undefined. */
export function parseUpperBound(le: string): number | undefined {
  const t = le.trim().toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(le);
  return le.trim() === '' || Number.isNaN(v) ? undefined : v;
}
