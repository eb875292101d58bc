/**
 * histogram_quantile and histogram_fraction over classic buckets (series with an `le` label), as
 * Prometheus 3's BucketQuantile and BucketFraction: buckets sorted by upper bound, equal bounds
 * merged; for quantiles counts are forced monotonic (tiny float deltas ignored silently, real
 * decreases reported) and the quantile interpolated linearly inside the bucket holding the rank.
 */
const SMALL_DELTA = 1e-12;

/** Buckets sorted by upper bound with equal bounds merged, or undefined when there is no +Inf bucket. */
function coalesced(upper: Float64Array, counts: Float64Array, n: number): { ub: number[]; cnt: number[] } | undefined {
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
  return ub.length === 0 || ub[ub.length - 1] !== Infinity ? undefined : { ub, cnt };
}

/** Removes decreases between buckets; true when one was more than a float rounding artefact. */
function forceMonotonic(cnt: number[]): boolean {
  let forced = false;
  let prev = cnt[0];
  for (let i = 1; i < cnt.length; i++) {
    const cur = cnt[i];
    if (cur === prev) continue;
    const tiny = Math.abs(cur - prev) <= SMALL_DELTA * Math.max(Math.abs(cur), Math.abs(prev));
    if (tiny || cur < prev) {
      cnt[i] = prev;
      forced ||= !tiny;
      continue;
    }
    prev = cur;
  }
  return forced;
}

export interface BucketQuantile {
  value: number;
  /** Counts decreased somewhere and were fixed (Prometheus's info annotation). */
  forcedMonotonic: boolean;
}

export function bucketQuantile(q: number, upper: Float64Array, counts: Float64Array, n: number): BucketQuantile {
  const result = (value: number, forcedMonotonic = false) => ({ value, forcedMonotonic });
  if (Number.isNaN(q)) return result(NaN);
  if (q < 0) return result(-Infinity);
  if (q > 1) return result(Infinity);
  const buckets = coalesced(upper, counts, n);
  if (!buckets) return result(NaN);
  const { ub, cnt } = buckets;
  const forced = forceMonotonic(cnt);
  if (ub.length < 2) return result(NaN, forced);
  const observations = cnt[cnt.length - 1];
  if (observations === 0) return result(NaN, forced);
  let rank = q * observations;
  let b = 0;
  while (b < ub.length - 1 && !(cnt[b] >= rank)) b++;
  if (b === ub.length - 1) return result(ub[ub.length - 2], forced);
  if (b === 0 && ub[0] <= 0) return result(ub[0], forced);
  let start = 0;
  let count = cnt[b];
  if (b > 0) {
    start = ub[b - 1];
    count -= cnt[b - 1];
    rank -= cnt[b - 1];
  }
  return result(start + (ub[b] - start) * (rank / count), forced);
}

/**
 * The fraction of observations between lower and upper, interpolating linearly inside the
 * buckets the bounds fall in. The first bucket starts at 0 when its upper bound is positive,
 * else at -Inf; nothing is interpolated inside an infinite bucket.
 */
export function bucketFraction(lower: number, upper: number, bounds: Float64Array, counts: Float64Array, n: number): number {
  const buckets = coalesced(bounds, counts, n);
  if (!buckets) return NaN;
  const { ub, cnt } = buckets;
  const total = cnt[cnt.length - 1];
  if (total === 0 || Number.isNaN(lower) || Number.isNaN(upper)) return NaN;
  if (lower >= upper) return 0;
  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  for (let i = 0; i < ub.length; i++) {
    const lowerBound = i > 0 ? ub[i - 1] : ub[0] <= 0 ? -Infinity : 0;
    const upperBound = ub[i];
    const interpolate = (v: number) => (lowerBound === -Infinity ? cnt[i] : rank + ((cnt[i] - rank) * (v - lowerBound)) / (upperBound - lowerBound));
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = interpolate(lower);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = interpolate(upper);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = cnt[i];
  }
  if (!lowerSet || lowerRank > total) lowerRank = total;
  if (!upperSet || upperRank > total) upperRank = total;
  return (upperRank - lowerRank) / total;
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
