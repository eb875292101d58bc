/**
 * The functions over a range vector, one series at a time: each reads the samples of one window
 * (indices lo..hi-1 of the series' columns, staleness markers already removed) and returns the
 * output value, or undefined for no output at that step. Numerics follow Prometheus 3
 * (promql/functions.go): Kahan-compensated sums, extrapolated rates, linear regression.
 */
export interface Window {
  readonly ts: Float64Array;
  readonly vs: Float64Array;
  readonly lo: number;
  readonly hi: number;
  /** The window is (rangeStart, rangeEnd], ms. */
  readonly rangeStart: number;
  readonly rangeEnd: number;
  /** The evaluation time of the step (predict_linear's intercept), ms. */
  readonly evalTime: number;
  /**
   * True when no value of the whole series is below the one before it, so no window holds a
   * counter reset and rate/increase skip looking for one. False when unknown.
   */
  readonly neverDrops: boolean;
}

/** Whether no value is below the one before it (NaN compares false, as the reset test does). */
export function neverDrops(vs: Float64Array): boolean {
  for (let i = 1; i < vs.length; i++) if (vs[i] < vs[i - 1]) return false;
  return true;
}

/** A Window whose fields an evaluation loop moves (one object reused for every step). */
export type MutableWindow = { -readonly [K in keyof Window]: Window[K] };

export type RangeFunction = (w: Window, param: number) => number | undefined;

/**
 * Kahan compensation terms, reused by every call instead of allocated per window (the functions
 * are not re-entrant: none calls another while summing).
 */
const C0 = new Float64Array(1);
const C1 = new Float64Array(1);
const C2 = new Float64Array(1);
const C3 = new Float64Array(1);

/** Kahan-Babuska summation step: returns sum + inc, the lost low-order part added to c[k] (as Prometheus 3). */
export function kahanInc(inc: number, sum: number, c: Float64Array, k = 0): number {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) c[k] = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c[k] += sum - t + inc;
  else c[k] += inc - t + sum;
  return t;
}

export function extrapolatedRate(w: Window, isCounter: boolean, isRate: boolean): number | undefined {
  const n = w.hi - w.lo;
  if (n < 2) return undefined;
  const first = w.vs[w.lo];
  const last = w.vs[w.hi - 1];
  let result = last - first;
  if (isCounter && !w.neverDrops) {
    // A drop is a counter reset: add back what the counter had reached.
    let prev = 0;
    for (let i = w.lo; i < w.hi; i++) {
      if (w.vs[i] < prev) result += prev;
      prev = w.vs[i];
    }
  }
  const firstT = w.ts[w.lo];
  const lastT = w.ts[w.hi - 1];
  let toStart = (firstT - w.rangeStart) / 1000;
  let toEnd = (w.rangeEnd - lastT) / 1000;
  const sampled = (lastT - firstT) / 1000;
  const avgGap = sampled / (n - 1);
  const threshold = avgGap * 1.1;
  if (toStart >= threshold) toStart = avgGap / 2;
  if (isCounter && result > 0 && first >= 0) {
    // A counter does not extrapolate below zero.
    const toZero = sampled * (first / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = avgGap / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= (w.rangeEnd - w.rangeStart) / 1000;
  return result * factor;
}

function instant(w: Window, isRate: boolean): number | undefined {
  if (w.hi - w.lo < 2) return undefined;
  const last = w.vs[w.hi - 1];
  const prev = w.vs[w.hi - 2];
  const result = isRate && last < prev ? last : last - prev;
  if (!isRate) return result;
  const gap = w.ts[w.hi - 1] - w.ts[w.hi - 2];
  return gap === 0 ? undefined : result / (gap / 1000);
}

/** Slope and intercept of the least-squares line through the window, x in seconds from `at`. */
export function linearRegression(w: Window, at: number): [number, number] {
  const init = w.vs[w.lo];
  let constant = true;
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxy = 0;
  let sx2 = 0;
  const [cx, cy, cxy, cx2] = [C0, C1, C2, C3];
  cx[0] = cy[0] = cxy[0] = cx2[0] = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const y = w.vs[i];
    if (constant && i > w.lo && y !== init) constant = false;
    n++;
    const x = (w.ts[i] - at) / 1000;
    sx = kahanInc(x, sx, cx);
    sy = kahanInc(y, sy, cy);
    sxy = kahanInc(x * y, sxy, cxy);
    sx2 = kahanInc(x * x, sx2, cx2);
  }
  if (constant) return Number.isFinite(init) ? [0, init] : [NaN, NaN];
  sx += cx[0];
  sy += cy[0];
  sxy += cxy[0];
  sx2 += cx2[0];
  const cov = sxy - (sx * sy) / n;
  const varX = sx2 - (sx * sx) / n;
  const slope = cov / varX;
  return [slope, sy / n - (slope * sx) / n];
}

/** Prometheus's quantile: linear interpolation between the closest ranks. Sorts `values`. */
export function quantile(q: number, values: Float64Array): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  // Go's sort order: NaN before every number.
  values.sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
  const rank = q * (values.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(values.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return values[lower] * (1 - weight) + values[upper] * weight;
}

export function sumOverTime(w: Window): number {
  const c = C0;
  c[0] = 0;
  let sum = 0;
  for (let i = w.lo; i < w.hi; i++) sum = kahanInc(w.vs[i], sum, c);
  return Number.isFinite(sum) ? sum + c[0] : sum;
}

export function avgOverTime(w: Window): number {
  const c = C0;
  c[0] = 0;
  let sum = 0;
  let mean = 0;
  let count = 0;
  let incremental = false;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.vs[i];
    count++;
    if (!incremental) {
      const saved = c[0];
      const next = kahanInc(v, sum, c);
      if (count === 1 || Number.isFinite(next) || Number.isNaN(next)) {
        sum = next;
        continue;
      }
      // The sum overflowed: continue with an incremental mean instead.
      c[0] = saved / (count - 1);
      incremental = true;
      mean = sum / (count - 1);
    }
    const q = (count - 1) / count;
    c[0] *= q;
    mean = kahanInc(v / count, q * mean, c);
  }
  return incremental ? mean + c[0] : sum / count + c[0] / count;
}

export function variance(w: Window): number {
  let count = 0;
  let mean = 0;
  let aux = 0;
  const [cMean, cAux] = [C0, C1];
  cMean[0] = cAux[0] = 0;
  for (let i = w.lo; i < w.hi; i++) {
    const v = w.vs[i];
    count++;
    const delta = v - (mean + cMean[0]);
    mean = kahanInc(delta / count, mean, cMean);
    aux = kahanInc(delta * (v - (mean + cMean[0])), aux, cAux);
  }
  return (aux + cAux[0]) / count;
}

export function extreme(w: Window, better: (a: number, b: number) => boolean): number {
  let best = w.vs[w.lo];
  for (let i = w.lo + 1; i < w.hi; i++) if (better(w.vs[i], best) || Number.isNaN(best)) best = w.vs[i];
  return best;
}

/** Functions that need at least one sample in the window; `undefined` output otherwise. */
const nonEmpty =
  (f: RangeFunction): RangeFunction =>
  (w, p) =>
    w.hi > w.lo ? f(w, p) : undefined;

export const RANGE_FUNCTIONS: Readonly<Record<string, RangeFunction>> = {
  rate: (w) => extrapolatedRate(w, true, true),
  increase: (w) => extrapolatedRate(w, true, false),
  delta: (w) => extrapolatedRate(w, false, false),
  irate: (w) => instant(w, true),
  idelta: (w) => instant(w, false),
  sum_over_time: nonEmpty(sumOverTime),
  avg_over_time: nonEmpty(avgOverTime),
  count_over_time: nonEmpty((w) => w.hi - w.lo),
  last_over_time: nonEmpty((w) => w.vs[w.hi - 1]),
  present_over_time: nonEmpty(() => 1),
  min_over_time: nonEmpty((w) => extreme(w, (a, b) => a < b)),
  max_over_time: nonEmpty((w) => extreme(w, (a, b) => a > b)),
  stdvar_over_time: nonEmpty(variance),
  stddev_over_time: nonEmpty((w) => Math.sqrt(variance(w))),
  quantile_over_time: nonEmpty((w, q) => quantile(q, w.vs.slice(w.lo, w.hi))),
  changes: nonEmpty((w) => {
    let n = 0;
    for (let i = w.lo + 1; i < w.hi; i++) {
      const a = w.vs[i - 1];
      const b = w.vs[i];
      if (a !== b && !(Number.isNaN(a) && Number.isNaN(b))) n++;
    }
    return n;
  }),
  resets: nonEmpty((w) => {
    let n = 0;
    for (let i = w.lo + 1; i < w.hi; i++) if (w.vs[i] < w.vs[i - 1]) n++;
    return n;
  }),
  deriv: (w) => (w.hi - w.lo < 2 ? undefined : linearRegression(w, w.ts[w.lo])[0]),
  predict_linear: (w, seconds) => {
    if (w.hi - w.lo < 2) return undefined;
    const [slope, intercept] = linearRegression(w, w.evalTime);
    return slope * seconds + intercept;
  },
};

/** The functions whose output keeps the metric name (Prometheus 3). */
export const KEEPS_METRIC_NAME = new Set(['last_over_time']);
