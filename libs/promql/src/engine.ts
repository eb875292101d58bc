import { compareLabels, type Label, type Labels, labelsKey, METRIC_NAME, sortLabels } from '@myelin/model';
import { collectSeries, type Queryable, SampleBuffer } from '@myelin/storage';
import { AGGREGATIONS, aggregateValues, countValues, GroupSum, limitK, limitRatio, selectK } from './aggregate';
import { formatGoG, quoteGo } from './go-format';
import { annotation, Annotations } from './annotations';
import { EvalError, NotImplementedError } from './errors';
import { COMPARISON_OPS, scalarOp } from './operators';
import { vectorBinary } from './vector-binary';
import type { AggregateExpr, AtModifier, BinaryExpr, Call, Expr, MatrixSelector, SubqueryExpr, VectorSelector } from './ast';
import { extrapolatedRate, KEEPS_METRIC_NAME, type MutableWindow, neverDrops, RANGE_FUNCTIONS, type RangeFunction } from './range-functions';
import { ELEMENTWISE } from './simple-functions';
import { bucketFraction, bucketQuantile, parseUpperBound } from './bucket-quantile';
import { DATE_FUNCTIONS } from './date-functions';
import { labelJoin, labelReplace, sortByLabel, validLabelName } from './label-functions';
import { parseExpr } from './parser';

/** Prometheus's default lookback: an instant selector finds the newest sample up to this old. */
export const LOOKBACK_MS = 5 * 60_000;

const STALE_HI = 0x7ff00000;
const STALE_LO = 0x00000002;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);

/** Prometheus's staleness marker: a NaN with one exact bit pattern. */
export function isStaleNaN(v: number): boolean {
  // Only a NaN can be the marker; comparing first keeps the bit test off the common path.
  if (v === v) return false;
  bits[0] = v;
  return words[1] === STALE_HI && words[0] === STALE_LO;
}

/**
 * One series of an instant vector over the steps: a value where `present` is 1. `dropName`
 * marks a metric name to drop once evaluation ends (Prometheus's delayed name removal: an
 * aggregation `by (__name__)` or label_replace can still read it until then).
 */
export interface StepSeries {
  labels: Labels;
  values: Float64Array;
  present: Uint8Array;
  dropName?: boolean;
}

export { EvalError, NotImplementedError } from './errors';

/**
 * A value over the steps of an evaluation: a scalar has one value per step (typed array); a
 * string is the same at every step. Vectors and matrices come with the selectors.
 */
export type StepValue = { type: 'scalar'; values: Float64Array } | { type: 'string'; value: string } | { type: 'vector'; series: StepSeries[] };

/** A series of a range vector: its samples in the window, by their own timestamps (ms). */
export interface RangeSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * What a query returns: a StepValue, or for an instant query of a range selector or subquery
 * (`x[5m]`), a range vector ("matrix" in the HTTP API).
 */
export type QueryValue = StepValue | { type: 'matrix'; series: RangeSeries[] };

export interface EvalRange {
  /** Milliseconds. An instant query has start === end. */
  start: number;
  end: number;
  step: number;
}

/** Per-query limits (Prometheus's -query.max-samples and -query.timeout). */
export interface EngineOptions {
  /** Most samples the selectors of one query may load; 0 for no limit. */
  maxSamples?: number;
  /** Milliseconds one evaluation may take; 0 for no limit. */
  timeoutMs?: number;
  /** The clock (injected; Date.now by default). */
  now?: () => number;
  /**
   * Aborted when whoever asked no longer wants the answer (the HTTP client went away):
   * evaluation stops at its next check with "query was canceled", as Prometheus's does.
   */
  signal?: AbortSignal;
}

/** One evaluation's range with its limits' state, passed down the evaluation. */
interface EvalCtx extends EvalRange {
  readonly deadline: number;
  readonly budget: { loaded: number };
  /** When the evaluation last gave the event loop a turn (pause()). */
  readonly paused: { at: number };
  readonly annotations: Annotations;
}

/** A query's value with the warnings and infos Prometheus would attach to it. */
export interface QueryResult {
  value: QueryValue;
  warnings: string[];
  infos: string[];
  /** Samples the selectors loaded (what -query.max-samples counts). */
  samplesLoaded: number;
}

/** How long evaluation runs at most before it gives the event loop a turn (Engine.pause). */
const PAUSE_MS = 20;

/** Evaluates PromQL over a Queryable, step by step in typed arrays (no object per sample). */
export class Engine {
  constructor(
    private readonly queryable: Queryable | undefined = undefined,
    private readonly options: EngineOptions = {},
  ) {}

  /** The query's value; annotations are dropped (see query()). */
  async evaluate(query: string | Expr, range: EvalRange): Promise<QueryValue> {
    return (await this.query(query, range)).value;
  }

  /** The query's value with its annotations. */
  async query(query: string | Expr, range: EvalRange): Promise<QueryResult> {
    const expr = typeof query === 'string' ? parseExpr(query) : query;
    const steps = range.step > 0 ? Math.floor((range.end - range.start) / range.step) + 1 : 1;
    const times = Float64Array.from({ length: steps }, (_, i) => range.start + i * range.step);
    const now = this.options.now ?? Date.now;
    const timeout = this.options.timeoutMs ?? 0;
    const annotations = new Annotations();
    const started = now();
    const ctx: EvalCtx = { ...range, deadline: timeout > 0 ? started + timeout : Infinity, budget: { loaded: 0 }, paused: { at: started }, annotations };
    const top = unwrapParens(expr);
    if (top.type === 'MatrixSelector' || top.type === 'SubqueryExpr') {
      if (range.start !== range.end) throw new EvalError('invalid expression type "range vector" for range query, must be Scalar or instant Vector');
      const value = await this.rangeVector(top, times, ctx);
      return { value, warnings: annotations.warnings, infos: annotations.infos, samplesLoaded: ctx.budget.loaded };
    }
    const value = await this.eval(expr, steps, times, ctx);
    const finished: StepValue = value.type === 'vector' ? { type: 'vector', series: finishNames(value.series) } : value;
    // The answer is held whole too: a query may make far more points than it loads (a join
    // fanning out over many steps), so the answer alone must also fit the limit.
    const max = this.options.maxSamples ?? 0;
    if (finished.type === 'vector' && max > 0) {
      let points = 0;
      for (const s of finished.series) for (const p of s.present) points += p;
      if (points > max) throw new EvalError('query processing would load too many samples into memory in query execution');
    }
    return { value: finished, warnings: annotations.warnings, infos: annotations.infos, samplesLoaded: ctx.budget.loaded };
  }

  /** An instant query of `x[r]` or a subquery: each series' samples in (t - r, t]. */
  private async rangeVector(e: MatrixSelector | SubqueryExpr, times: Float64Array, range: EvalCtx): Promise<QueryValue> {
    const input = e.type === 'MatrixSelector' ? await this.selectRange(e, times, range) : await this.subquery(e, times, range);
    const end = input.ends[0];
    const series: RangeSeries[] = [];
    const scratch = new SampleBuffer();
    for (const s of input.series) {
      const { ts, vs } = s.load(scratch);
      const lo = lastAtOrBefore(ts, end - input.rangeMs) + 1;
      const hi = lastAtOrBefore(ts, end) + 1;
      if (hi <= lo) continue;
      const labels = s.dropName ? s.labels.filter((l) => l.name !== METRIC_NAME) : s.labels;
      // Copies: the samples may be in the scratch buffer, which the next series overwrites.
      series.push({ labels, timestamps: ts.slice(lo, hi), values: vs.slice(lo, hi) });
    }
    return { type: 'matrix', series };
  }

  private async eval(e: Expr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    this.checkDeadline(range);
    switch (e.type) {
      case 'VectorSelector':
        return this.selectVector(e, times, range);
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(steps).fill(e.value) };
      case 'StringLiteral':
        return { type: 'string', value: e.value };
      case 'ParenExpr':
        return this.eval(e.expr, steps, times, range);
      case 'UnaryExpr': {
        const v = await this.eval(e.expr, steps, times, range);
        if (v.type === 'string') throw new EvalError('unary expression only allowed on expressions of type scalar or instant vector');
        if (e.op === '+') return v;
        if (v.type === 'scalar') return { type: 'scalar', values: v.values.map((x) => -x) };
        // Negating a vector drops the metric name, as any arithmetic does.
        return { type: 'vector', series: v.series.map((s) => ({ labels: s.labels, values: s.values.map((x) => -x), present: s.present, dropName: true })) };
      }
      case 'BinaryExpr':
        return this.binary(e, steps, times, range);
      case 'Call':
        return this.call(e, steps, times, range);
      case 'AggregateExpr':
        return this.aggregate(e, steps, times, range);
      default:
        throw new NotImplementedError(`${e.type} is not evaluated yet`);
    }
  }

  /**
   * An instant vector selector: at each step, per series, the newest sample in the lookback
   * window (t - 5m, t] at the step's time (moved by `offset`, or fixed by `@`), unless that
   * sample is a staleness marker.
   */
  private async selectVector(e: VectorSelector, times: Float64Array, range: EvalCtx, sampleTimes = false): Promise<StepValue> {
    if (!this.queryable) throw new EvalError('no data source to select from');
    const at = this.atTime(e.at, range);
    const eff = times.map((t) => (at ?? t) - e.offset);
    const querier = await this.queryable.querier(min(eff) - LOOKBACK_MS + 1, max(eff));
    let raw;
    try {
      raw = this.charge(await collectSeries(await querier.select(e.matchers)), range);
    } finally {
      await querier.close();
    }
    const out: StepSeries[] = [];
    for (const s of raw) {
      const paused = this.pause(range);
      if (paused) await paused;
      const values = new Float64Array(eff.length);
      const present = new Uint8Array(eff.length);
      let any = false;
      for (let i = 0; i < eff.length; i++) {
        const j = lastAtOrBefore(s.timestamps, eff[i]);
        if (j < 0 || s.timestamps[j] <= eff[i] - LOOKBACK_MS || isStaleNaN(s.values[j])) continue;
        values[i] = sampleTimes ? s.timestamps[j] / 1000 : s.values[j];
        present[i] = 1;
        any = true;
      }
      if (any) out.push({ labels: s.labels, values, present });
    }
    return { type: 'vector', series: out.sort((a, b) => compareLabels(a.labels, b.labels)) };
  }

  /** The functions evaluated so far; the rest raise NotImplementedError. */
  private async call(e: Call, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    if (e.func === 'absent_over_time') return this.absentOverTime(e, steps, times, range);
    const rangeFn = RANGE_FUNCTIONS[e.func];
    if (rangeFn) return this.callOverRange(e, rangeFn, steps, times, range);
    const elementwise = ELEMENTWISE[e.func];
    // Refused before the arguments are evaluated, so an unsupported call is reported as such.
    if (!elementwise && !EVALUATED_CALLS.has(e.func) && !DATE_FUNCTIONS[e.func]) throw new NotImplementedError(`${e.func}() is not evaluated yet`);
    if (DATE_FUNCTIONS[e.func]) {
      const f = DATE_FUNCTIONS[e.func];
      // Without an argument: the step's own time, as vector(time()).
      const input = e.args.length > 0 ? await this.eval(e.args[0], steps, times, range) : { type: 'vector' as const, series: [{ labels: [], values: times.map((t) => t / 1000), present: new Uint8Array(steps).fill(1) }] };
      if (input.type !== 'vector') throw new EvalError(`${e.func}() expects an instant vector`);
      return mapValues(input.series, f);
    }
    if (e.func === 'timestamp') return this.timestampOf(e.args[0], steps, times, range);
    if (e.func === 'absent') return this.absent(e.args[0], steps, times, range);
    if (e.func === 'time') return { type: 'scalar', values: times.map((t) => t / 1000) };
    if (e.func === 'pi') return { type: 'scalar', values: new Float64Array(steps).fill(Math.PI) };
    if (e.func === 'histogram_quantile') {
      const [q, v] = await Promise.all(e.args.map((a) => this.eval(a, steps, times, range)));
      if (q.type !== 'scalar' || v.type !== 'vector') throw new EvalError('histogram_quantile() expects a scalar and an instant vector');
      return { type: 'vector', series: histogramQuantile(q.values, v.series, steps, range.annotations) };
    }
    if (e.func === 'histogram_fraction') {
      const [lo, hi, v] = await Promise.all(e.args.map((a) => this.eval(a, steps, times, range)));
      if (lo.type !== 'scalar' || hi.type !== 'scalar' || v.type !== 'vector') throw new EvalError('histogram_fraction() expects two scalars and an instant vector');
      return { type: 'vector', series: overBuckets(v.series, steps, range.annotations, (upper, counts, n, i) => bucketFraction(lo.values[i], hi.values[i], upper, counts, n)) };
    }
    const arg = e.args.length > 0 ? await this.eval(e.args[0], steps, times, range) : undefined;
    if (e.func === 'vector' && arg?.type === 'scalar') return { type: 'vector', series: [{ labels: [], values: arg.values, present: new Uint8Array(steps).fill(1) }] };
    if (e.func === 'scalar' && arg?.type === 'vector') {
      // The value of the only series at the step, NaN when there is none or more than one.
      const values = new Float64Array(steps).fill(NaN);
      for (let i = 0; i < steps; i++) {
        const here = arg.series.filter((s) => s.present[i]);
        if (here.length === 1) values[i] = here[0].values[i];
      }
      return { type: 'scalar', values };
    }
    const rest = await Promise.all(e.args.slice(1).map((a) => this.eval(a, steps, times, range)));
    const str = (i: number) => {
      const v = rest[i - 1];
      return v?.type === 'string' ? v.value : '';
    };
    const num = (i: number, fallback: number) => {
      const v = rest[i - 1];
      return v?.type === 'scalar' ? v.values : new Float64Array(steps).fill(fallback);
    };
    if (arg?.type === 'vector') {
      switch (e.func) {
        case 'label_replace':
          return { type: 'vector', series: labelReplace(arg.series, str(1), str(2), str(3), str(4)) };
        case 'label_join':
          return { type: 'vector', series: labelJoin(arg.series, str(1), str(2), rest.slice(2).map((_, k) => str(k + 3))) };
        case 'round': {
          const to = num(1, 1);
          return mapValues(arg.series, (v, i) => Math.floor(v * (1 / to[i]) + 0.5) / (1 / to[i]));
        }
        case 'clamp': {
          const [lo, hi] = [num(1, NaN), num(2, NaN)];
          const out = mapValues(arg.series, (v, i) => Math.max(lo[i], Math.min(hi[i], v)));
          // clamp with max below min gives an empty vector at that step.
          for (const x of out.series) for (let i = 0; i < steps; i++) if (hi[i] < lo[i]) x.present[i] = 0;
          return { type: 'vector', series: out.series.filter((x) => x.present.includes(1)) };
        }
        case 'clamp_min': {
          const lo = num(1, NaN);
          return mapValues(arg.series, (v, i) => Math.max(lo[i], v));
        }
        case 'clamp_max': {
          const hi = num(1, NaN);
          return mapValues(arg.series, (v, i) => Math.min(hi[i], v));
        }
        case 'sort':
        case 'sort_desc':
          if (range.start !== range.end) range.annotations.warn(annotation.sortInRangeQuery());
          return { type: 'vector', series: sortByValue(arg.series, e.func === 'sort_desc') };
        case 'sort_by_label':
        case 'sort_by_label_desc':
          if (range.start !== range.end) range.annotations.warn(annotation.sortInRangeQuery());
          return { type: 'vector', series: sortByLabel(arg.series, rest.map((_, k) => str(k + 1)), e.func === 'sort_by_label_desc') };
      }
    }
    if (elementwise && arg?.type === 'vector') return mapValues(arg.series, elementwise);
    throw new NotImplementedError(`${e.func}() is not evaluated yet`);
  }

  /** timestamp(): the sample's own time for a selector, otherwise the step's; in seconds. */
  private async timestampOf(arg: Expr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    const inner = arg.type === 'ParenExpr' ? arg.expr : arg;
    const v = inner.type === 'VectorSelector' ? await this.selectVector(inner, times, range, true) : await this.eval(arg, steps, times, range);
    if (v.type !== 'vector') throw new EvalError('timestamp() expects an instant vector');
    const fromStep = inner.type !== 'VectorSelector';
    return { type: 'vector', series: v.series.map((x) => ({ labels: x.labels, values: fromStep ? times.map((t) => t / 1000) : x.values, present: x.present, dropName: true })) };
  }

  /** absent_over_time(m[r]): 1 at steps where no series has a sample in the window. */
  private async absentOverTime(e: Call, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    const counted = await this.callOverRange(e, RANGE_FUNCTIONS.count_over_time, steps, times, range);
    const arg = unwrapParens(e.args[0]);
    const inner = arg.type === 'MatrixSelector' ? arg.vector : arg.type === 'SubqueryExpr' ? unwrapParens(arg.expr) : undefined;
    return this.absentAt(counted, inner?.type === 'VectorSelector' ? inner : undefined, steps);
  }

  /**
   * absent(v): at steps where v is empty, one series with value 1, labelled by the selector's
   * equality matchers (a label matched twice is left out), as Prometheus.
   */
  private async absent(arg: Expr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    const v = await this.eval(arg, steps, times, range);
    const inner = unwrapParens(arg);
    return this.absentAt(v, inner.type === 'VectorSelector' ? inner : undefined, steps);
  }

  private absentAt(v: StepValue, selector: VectorSelector | undefined, steps: number): StepValue {
    if (v.type !== 'vector') throw new EvalError('absent() expects an instant vector');
    const present = new Uint8Array(steps).fill(1);
    for (const x of v.series) for (let i = 0; i < steps; i++) if (x.present[i]) present[i] = 0;
    if (!present.includes(1)) return { type: 'vector', series: [] };
    const labels: Label[] = [];
    if (selector) {
      // A label with any other matcher on it is left out.
      const named = selector.matchers.filter((m) => m.name !== METRIC_NAME);
      for (const m of named) if (m.type === '=' && named.filter((o) => o.name === m.name).length === 1) labels.push({ name: m.name, value: m.value });
      sortLabels(labels);
    }
    return { type: 'vector', series: [{ labels, values: new Float64Array(steps).fill(1), present }] };
  }

  /**
   * A function over a range vector: per series and step, the samples in (t - range, t] (t moved
   * by `offset` or fixed by `@`), staleness markers left out. A scalar argument (the quantile of
   * quantile_over_time, predict_linear's seconds) is evaluated per step.
   */
  private async callOverRange(e: Call, fn: RangeFunction, steps: number, times: Float64Array, range: EvalCtx, sink?: GroupSum): Promise<StepValue> {
    const args = e.args.map(unwrapParens);
    const mi = args.findIndex((a) => a.type === 'MatrixSelector' || a.type === 'SubqueryExpr');
    const m = args[mi];
    if (!m) throw new EvalError(`${e.func}() expects a range vector`);
    if (m.type !== 'MatrixSelector' && m.type !== 'SubqueryExpr') throw new EvalError(`${e.func}() expects a range vector`);
    const paramExpr = e.args.find((_, i) => i !== mi);
    const param = paramExpr ? await this.eval(paramExpr, steps, times, range) : undefined;
    if (param && param.type !== 'scalar') throw new NotImplementedError(`${e.func}() with a ${param.type} parameter is not evaluated yet`);
    const input = m.type === 'MatrixSelector' ? await this.selectRange(m, times, range) : await this.subquery(m, times, range);
    const keepName = KEEPS_METRIC_NAME.has(e.func);
    const isQuantile = e.func === 'quantile_over_time';
    // Counter functions look for resets in every window; one pass per series tells them when there
    // are none. (They are also the ones that warn about a series not named like a counter.)
    const findsResets = e.func === 'rate' || e.func === 'increase';
    // rate, increase and delta are called directly: a call site with one target V8 inlines (the
    // table's call site sees every range function), and no number is boxed per window.
    const extrapolated = e.func === 'rate' ? 1 : e.func === 'increase' ? 2 : e.func === 'delta' ? 3 : 0;
    const out: StepSeries[] = [];
    // One window object, moved along each series: its bounds only move forward while the steps'
    // window ends do (they stay put under `@`), so no binary search and no object per step.
    const w: MutableWindow = { ts: EMPTY, vs: EMPTY, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, evalTime: 0, neverDrops: false };
    // One buffer for every series' samples: a window function keeps nothing of them.
    const scratch = new SampleBuffer();
    // Feeding an aggregation (sum by (...) (rate(...))), every series' output is added to its
    // group at once: one pair of columns for all series, none kept alive per series.
    const shared = sink ? { values: new Float64Array(steps), present: new Uint8Array(steps) } : undefined;
    for (const s of input.series) {
      const paused = this.pause(range);
      if (paused) await paused;
      const { ts, vs } = s.load(scratch);
      const values = shared ? shared.values : new Float64Array(steps);
      const present = shared ? shared.present.fill(0) : new Uint8Array(steps);
      let any = false;
      w.ts = ts;
      w.vs = vs;
      w.neverDrops = findsResets && neverDrops(vs);
      let lo = 0;
      let hi = 0;
      for (let i = 0; i < steps; i++) {
        const rangeEnd = input.ends[i];
        const rangeStart = rangeEnd - input.rangeMs;
        if (i > 0 && rangeEnd < input.ends[i - 1]) lo = hi = 0;
        while (lo < ts.length && ts[lo] <= rangeStart) lo++;
        if (hi < lo) hi = lo;
        while (hi < ts.length && ts[hi] <= rangeEnd) hi++;
        w.lo = lo;
        w.hi = hi;
        w.rangeStart = rangeStart;
        w.rangeEnd = rangeEnd;
        w.evalTime = times[i];
        const v = extrapolated !== 0 ? extrapolatedRate(w, extrapolated !== 3, extrapolated === 1) : fn(w, param ? param.values[i] : NaN);
        if (v === undefined) continue;
        if (isQuantile && !validQuantile(param?.values[i] ?? NaN)) range.annotations.warn(annotation.invalidQuantile(param?.values[i] ?? NaN));
        values[i] = v;
        present[i] = 1;
        any = true;
      }
      if (!any) continue;
      const series = { labels: s.labels, values, present, dropName: s.dropName || !keepName };
      if (sink) sink.add(series);
      else out.push(series);
      if (findsResets && !s.dropName) warnIfNotCounter(s.labels, range.annotations);
    }
    return { type: 'vector', series: sink ? sink.result() : out };
  }

  /** The samples a range selector reads: per step the window ends at the step (offset, @). */
  private async selectRange(m: MatrixSelector, times: Float64Array, range: EvalCtx): Promise<RangeInput> {
    if (!this.queryable) throw new EvalError('no data source to select from');
    const sel = m.vector;
    const ends = times.map((t) => (this.atTime(sel.at, range) ?? t) - sel.offset);
    const querier = await this.queryable.querier(min(ends) - m.range + 1, max(ends));
    let raw;
    try {
      raw = await collectSeries(await querier.select(sel.matchers));
    } finally {
      await querier.close();
    }
    // Samples are read (and counted against max samples) series by series as the caller gets to
    // them, into its buffer where the source can: encoded sources then need no arrays per series.
    const series = raw.map((s): RangeInputSeries => ({
      labels: s.labels,
      load: (into) => {
        const samples = into && s.decodeInto ? s.decodeInto(into) : s;
        this.chargeSamples(samples.timestamps.length, range);
        return withoutStaleMarkers(samples.timestamps, samples.values);
      },
    }));
    return { ends, rangeMs: m.range, series };
  }

  /**
   * A subquery `expr[range:step]`: the inner expression evaluated at the multiples of its step
   * (default 1m) that fall in any outer window, as Prometheus aligns them; each outer step then
   * reads the points in its window (t - range, t], t moved by `offset` or fixed by `@`.
   */
  private async subquery(e: SubqueryExpr, times: Float64Array, range: EvalCtx): Promise<RangeInput> {
    const ends = times.map((t) => (this.atTime(e.at, range) ?? t) - e.offset);
    const interval = e.step ?? DEFAULT_SUBQUERY_STEP_MS;
    const earliest = min(ends) - e.range;
    let start = interval * Math.trunc(earliest / interval);
    if (start < earliest) start += interval;
    const innerSteps = Math.max(0, Math.floor((max(ends) - start) / interval) + 1);
    const innerTimes = Float64Array.from({ length: innerSteps }, (_, i) => start + i * interval);
    const inner = await this.eval(e.expr, innerSteps, innerTimes, range);
    if (inner.type !== 'vector') throw new NotImplementedError(`a subquery of a ${inner.type} is not evaluated yet`);
    let points = 0;
    for (const s of inner.series) for (const p of s.present) points += p;
    this.chargeSamples(points, range);
    const series = inner.series.map((s) => {
      const n = s.present.reduce((acc, p) => acc + p, 0);
      const ts = new Float64Array(n);
      const vs = new Float64Array(n);
      let k = 0;
      for (let i = 0; i < innerSteps; i++) {
        if (!s.present[i]) continue;
        ts[k] = innerTimes[i];
        vs[k++] = s.values[i];
      }
      return { labels: s.labels, dropName: s.dropName, load: () => ({ ts, vs }) };
    });
    return { ends, rangeMs: e.range, series };
  }

  /** Counts loaded samples against -query.max-samples; Prometheus's error when over. */
  private charge<T extends { timestamps: Float64Array }>(series: T[], ctx: EvalCtx): T[] {
    let n = 0;
    for (const s of series) n += s.timestamps.length;
    this.chargeSamples(n, ctx);
    return series;
  }

  /**
   * Counts samples a query holds against -query.max-samples: those its selectors load, and the
   * points a subquery's inner evaluation produces (a fine-grained subquery over a long range can
   * make millions from few loaded samples).
   */
  private chargeSamples(n: number, ctx: EvalCtx): void {
    ctx.budget.loaded += n;
    const max = this.options.maxSamples ?? 0;
    if (max > 0 && ctx.budget.loaded > max) throw new EvalError('query processing would load too many samples into memory in query execution');
    this.checkDeadline(ctx);
  }

  /** Throws when the query was canceled or ran out of time; else the clock's time. */
  private checkDeadline(ctx: EvalCtx): number {
    if (this.options.signal?.aborted) throw new EvalError('query was canceled in query execution');
    const now = (this.options.now ?? Date.now)();
    if (now > ctx.deadline) throw new EvalError('query timed out in query execution');
    return now;
  }

  /**
   * checkDeadline, and about every PAUSE_MS of evaluation a turn of the event loop: evaluation is
   * otherwise synchronous once the data is in, so without it other requests would wait and a
   * client's going away (the signal) would only be seen at the end.
   */
  private pause(ctx: EvalCtx): Promise<void> | undefined {
    const now = this.checkDeadline(ctx);
    if (now - ctx.paused.at < PAUSE_MS) return undefined; // the usual case: no promise, no await
    ctx.paused.at = now;
    return new Promise<void>((resolve) => setImmediate(resolve)).then(() => void this.checkDeadline(ctx));
  }

  private atTime(at: AtModifier | undefined, range: EvalCtx): number | undefined {
    if (!at) return undefined;
    return at.kind === 'start' ? range.start : at.kind === 'end' ? range.end : at.ms;
  }


  private async aggregate(e: AggregateExpr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    // Aggregation names are case-insensitive in PromQL (`SUM`).
    const op = e.op.toLowerCase();
    if (!AGGREGATIONS.has(op)) throw new NotImplementedError(`${e.op} is not evaluated yet`);
    if (op === 'count_values') return this.countValues(e, steps, times, range);
    const param = e.param ? await this.eval(e.param, steps, times, range) : undefined;
    if (param && param.type !== 'scalar') throw new NotImplementedError(`${e.op} with a ${param.type} parameter is not evaluated yet`);
    const g = { labels: e.grouping, without: e.without };
    const inner = unwrapParens(e.expr);
    if (op === 'sum' && inner.type === 'Call' && RANGE_FUNCTIONS[inner.func]) {
      // sum over a range function: each series summed into its group as soon as it is computed.
      return this.callOverRange(inner, RANGE_FUNCTIONS[inner.func], steps, times, range, new GroupSum(g, steps));
    }
    const v = await this.eval(e.expr, steps, times, range);
    if (v.type !== 'vector') throw new EvalError(`expected instant vector in aggregation ${e.op}, got ${v.type}`);
    if (op === 'quantile' && param?.type === 'scalar') warnInvalidQuantiles(param.values, range.annotations);
    const k = param?.type === 'scalar' ? param.values : new Float64Array(steps);
    if (op === 'topk' || op === 'bottomk' || op === 'limitk') {
      if (k.some(Number.isNaN)) throw new EvalError('Parameter value is NaN');
      // Prometheus takes k as an int64.
      const big = k.find((x) => Math.abs(x) >= 2 ** 63);
      if (big !== undefined) throw new EvalError(`Scalar value ${formatGoG(big)} ${big > 0 ? 'overflows' : 'underflows'} int64`);
    }
    if (op === 'topk' || op === 'bottomk') return { type: 'vector', series: selectK(op, v.series, steps, g, k) };
    if (op === 'limitk') return { type: 'vector', series: limitK(v.series, steps, g, k) };
    if (op === 'limit_ratio') return { type: 'vector', series: this.limitRatio(v.series, steps, k, range) };
    return { type: 'vector', series: aggregateValues(op, v.series, steps, g, param?.values) };
  }

  private limitRatio(series: StepSeries[], steps: number, ratios: Float64Array, range: EvalCtx): StepSeries[] {
    if (ratios.every((r) => r === 0)) return [];
    if (ratios.some(Number.isNaN)) throw new EvalError('Ratio value is NaN');
    const [lo, hi] = [min(ratios), max(ratios)];
    if (hi > 1) range.annotations.warn(annotation.invalidRatio(hi, 1));
    if (lo < -1) range.annotations.warn(annotation.invalidRatio(lo, -1));
    return limitRatio(series, steps, ratios);
  }

  /** count_values: the label name is checked before the vector is evaluated, as Prometheus does. */
  private async countValues(e: AggregateExpr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    const param = e.param && unwrapParens(e.param);
    if (param?.type !== 'StringLiteral') throw new EvalError('count_values expects a string parameter');
    if (!validLabelName(param.value)) throw new EvalError(`invalid label name ${quoteGo(param.value)}`);
    const v = await this.eval(e.expr, steps, times, range);
    if (v.type !== 'vector') throw new EvalError(`expected instant vector in aggregation ${e.op}, got ${v.type}`);
    return { type: 'vector', series: countValues(v.series, steps, { labels: e.grouping, without: e.without }, param.value) };
  }

  private async binary(e: BinaryExpr, steps: number, times: Float64Array, range: EvalCtx): Promise<StepValue> {
    const l = await this.eval(e.lhs, steps, times, range);
    const r = await this.eval(e.rhs, steps, times, range);
    if (l.type === 'vector' && r.type === 'vector') {
      const matching = e.matching ?? { card: 'one-to-one', on: false, labels: [], include: [] };
      return { type: 'vector', series: vectorBinary(e.op, e.returnBool, matching, l.series, r.series, steps) };
    }
    if (l.type === 'string' || r.type === 'string') throw new EvalError('binary expression with a string');
    const op = scalarOp(e.op, e.returnBool);
    if (l.type === 'scalar' && r.type === 'scalar') {
      const out = new Float64Array(steps);
      for (let i = 0; i < steps; i++) out[i] = op(l.values[i], r.values[i]);
      return { type: 'scalar', values: out };
    }
    // A vector and a scalar: element-wise. Arithmetic and `bool` comparisons drop the metric name;
    // a comparison without `bool` keeps the sample (and the name) where it holds, as Prometheus does.
    const vec = (l.type === 'vector' ? l : r) as Extract<StepValue, { type: 'vector' }>;
    const sc = (l.type === 'scalar' ? l : r) as Extract<StepValue, { type: 'scalar' }>;
    const comparison = COMPARISON_OPS.has(e.op);
    const filter = comparison && !e.returnBool;
    const series: StepSeries[] = [];
    for (const s of vec.series) {
      const values = new Float64Array(steps);
      const present = new Uint8Array(steps);
      let any = false;
      for (let i = 0; i < steps; i++) {
        if (!s.present[i]) continue;
        const res = l.type === 'vector' ? op(s.values[i], sc.values[i]) : op(sc.values[i], s.values[i]);
        if (filter) {
          if (res !== 1) continue;
          values[i] = s.values[i];
        } else values[i] = res;
        present[i] = 1;
        any = true;
      }
      if (any) series.push({ labels: s.labels, values, present, dropName: s.dropName || !filter });
    }
    return { type: 'vector', series };
  }
}

/** The end of evaluation: marked names are dropped, then series sharing labels merge or fail. */
function finishNames(series: StepSeries[]): StepSeries[] {
  return mergeSameLabels(series.map((s) => (s.dropName ? { labels: s.labels.filter((l) => l.name !== METRIC_NAME), values: s.values, present: s.present } : s)));
}

/**
 * Series that came to share a label set (after the metric name was dropped) become one series
 * when they never have a value at the same step; otherwise the result is ambiguous, and
 * Prometheus refuses it with this error.
 */
export function mergeSameLabels(series: StepSeries[]): StepSeries[] {
  const byKey = new Map<string, StepSeries>();
  for (const s of series) {
    const key = labelsKey(s.labels);
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { labels: s.labels, values: s.values.slice(), present: s.present.slice() });
      continue;
    }
    for (let i = 0; i < s.present.length; i++) {
      if (!s.present[i]) continue;
      if (seen.present[i]) throw new EvalError('vector cannot contain metrics with the same labelset');
      seen.values[i] = s.values[i];
      seen.present[i] = 1;
    }
  }
  // First-seen order: sort(), topk() and friends order their output.
  return [...byKey.values()];
}

const EVALUATED_CALLS = new Set(['histogram_quantile', 'histogram_fraction', 'time', 'pi', 'vector', 'scalar', 'timestamp', 'absent', 'label_replace', 'label_join', 'round', 'clamp', 'clamp_min', 'clamp_max', 'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc']);

/** A value-mapping function over a vector: the metric name is marked for dropping. */
function mapValues(series: StepSeries[], f: (v: number, step: number) => number): { type: 'vector'; series: StepSeries[] } {
  return { type: 'vector', series: series.map((x) => ({ labels: x.labels, values: x.values.map((v, i) => (x.present[i] ? f(v, i) : 0)), present: x.present.slice(), dropName: true })) };
}

/**
 * A function over classic histograms: series grouped by their labels without `le`; per step the
 * buckets present (upper bounds and counts) give the group's value. Series without a readable
 * `le` are left out with Prometheus's warning.
 */
function overBuckets(series: StepSeries[], steps: number, annotations: Annotations, f: (upper: Float64Array, counts: Float64Array, n: number, step: number, labels: Labels) => number): StepSeries[] {
  const groups = new Map<string, { labels: Labels; members: Array<{ s: StepSeries; le: number }> }>();
  for (const s of series) {
    const leText = s.labels.find((l) => l.name === 'le')?.value;
    const le = leText === undefined ? undefined : parseUpperBound(leText);
    if (le === undefined) {
      annotations.warn(annotation.badBucketLabel(metricName(s.labels), leText ?? ''));
      continue;
    }
    const labels = s.labels.filter((l) => l.name !== 'le');
    const key = labelsKey(labels);
    const g = groups.get(key) ?? { labels, members: [] };
    g.members.push({ s, le });
    groups.set(key, g);
  }
  const out: StepSeries[] = [];
  for (const g of groups.values()) {
    const upper = new Float64Array(g.members.length);
    const counts = new Float64Array(g.members.length);
    const values = new Float64Array(steps);
    const present = new Uint8Array(steps);
    for (let i = 0; i < steps; i++) {
      let n = 0;
      for (const m of g.members) {
        if (!m.s.present[i]) continue;
        upper[n] = m.le;
        counts[n++] = m.s.values[i];
      }
      if (n === 0) continue;
      values[i] = f(upper, counts, n, i, g.labels);
      present[i] = 1;
    }
    if (present.includes(1)) out.push({ labels: g.labels, values, present, dropName: true });
  }
  return out;
}

/** histogram_quantile(q, buckets): warns for q outside [0, 1] and for counts forced monotonic. */
function histogramQuantile(q: Float64Array, series: StepSeries[], steps: number, annotations: Annotations): StepSeries[] {
  for (let i = 0; i < steps; i++) if (!validQuantile(q[i])) annotations.warn(annotation.invalidQuantile(q[i]));
  return overBuckets(series, steps, annotations, (upper, counts, n, i, labels) => {
    const result = bucketQuantile(q[i], upper, counts, n);
    if (result.forcedMonotonic) annotations.info(annotation.forcedMonotonicity(metricName(labels)));
    return result.value;
  });
}

/** sort/sort_desc: by the (first step's) value, NaN last either way; a range query ignores order. */
function sortByValue(series: StepSeries[], desc: boolean): StepSeries[] {
  const key = (x: StepSeries) => x.values[x.present.indexOf(1)];
  return series.slice().sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1;
    return desc ? y - x : x - y;
  });
}


function metricName(labels: Labels): string {
  return labels.find((l) => l.name === METRIC_NAME)?.value ?? '';
}

function validQuantile(q: number): boolean {
  return q >= 0 && q <= 1;
}

/** Prometheus's warnings for quantile parameters: NaN, the largest above 1, the smallest below 0. */
function warnInvalidQuantiles(qs: Float64Array, annotations: Annotations): void {
  let hi = -Infinity;
  let lo = Infinity;
  for (const q of qs) {
    if (Number.isNaN(q)) annotations.warn(annotation.invalidQuantile(NaN));
    else [hi, lo] = [Math.max(hi, q), Math.min(lo, q)];
  }
  if (hi > 1) annotations.warn(annotation.invalidQuantile(hi));
  if (lo < 0) annotations.warn(annotation.invalidQuantile(lo));
}

const COUNTER_SUFFIXES = ['_total', '_sum', '_count', '_bucket'];

/** rate()/increase() of a series whose name does not look like a counter's: Prometheus's info. */
function warnIfNotCounter(labels: Labels, annotations: Annotations): void {
  const name = metricName(labels);
  if (name && !COUNTER_SUFFIXES.some((suffix) => name.endsWith(suffix))) annotations.info(annotation.possibleNonCounter(name));
}

/** The expression inside any number of parentheses. */
export function unwrapParens(e: Expr): Expr {
  return e.type === 'ParenExpr' ? unwrapParens(e.expr) : e;
}

/** What a range function reads: per series its samples, and per step where the window ends. */
interface RangeInput {
  ends: Float64Array;
  rangeMs: number;
  series: RangeInputSeries[];
}

interface RangeInputSeries {
  labels: Labels;
  dropName?: boolean;
  /**
   * The series' samples, staleness markers removed: in `into`'s columns when given and the
   * source can decode into them (valid until `into` is used again), else arrays of their own.
   */
  load(into?: SampleBuffer): { ts: Float64Array; vs: Float64Array };
}

const EMPTY = new Float64Array(0);

/** Prometheus's default evaluation interval, the step of a subquery written without one. */
const DEFAULT_SUBQUERY_STEP_MS = 60_000;

function min(xs: Float64Array): number {
  let m = Infinity;
  for (const x of xs) m = Math.min(m, x);
  return m;
}

function max(xs: Float64Array): number {
  let m = -Infinity;
  for (const x of xs) m = Math.max(m, x);
  return m;
}

/** The samples without staleness markers (range vectors never contain them). */
function withoutStaleMarkers(ts: Float64Array, vs: Float64Array): { ts: Float64Array; vs: Float64Array } {
  let stale = 0;
  for (let i = 0; i < vs.length; i++) if (isStaleNaN(vs[i])) stale++;
  if (stale === 0) return { ts, vs };
  const outT = new Float64Array(ts.length - stale);
  const outV = new Float64Array(ts.length - stale);
  let n = 0;
  for (let i = 0; i < ts.length; i++) {
    if (isStaleNaN(vs[i])) continue;
    outT[n] = ts[i];
    outV[n++] = vs[i];
  }
  return { ts: outT, vs: outV };
}

/** Index of the last timestamp at or before t, or -1. */
function lastAtOrBefore(ts: Float64Array, t: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

