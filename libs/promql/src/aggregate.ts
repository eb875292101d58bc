import { type Labels, labelsHash, labelsKey, METRIC_NAME, sortLabels } from '@myelin/model';
import { formatGoF } from './go-format';
import type { StepSeries } from './engine';
import { avgOverTime, extreme, kahanInc, type MutableWindow, quantile, sumOverTime, variance } from './range-functions';

/**
 * Aggregation over an instant vector, step by step: series are grouped by the labels named in
 * `by (...)`, or by all labels but those in `without (...)` and the metric name; each group gives
 * one output series (topk/bottomk: the chosen input series themselves). Numerics reuse the
 * range functions' (Kahan-compensated sum and mean, Welford variance), as Prometheus 3 does.
 */
export const AGGREGATIONS = new Set(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'quantile', 'topk', 'bottomk', 'limitk', 'limit_ratio', 'count_values']);

export interface Grouping {
  labels: readonly string[];
  without: boolean;
}

export function groupLabels(labels: Labels, g: Grouping): Labels {
  return g.without ? labels.filter((l) => l.name !== METRIC_NAME && !g.labels.includes(l.name)) : labels.filter((l) => g.labels.includes(l.name));
}

interface Group {
  labels: Labels;
  members: StepSeries[];
  /** The group keeps a metric name (`by (__name__)`) that a member had marked for dropping. */
  dropName: boolean;
}

function groupsOf(series: StepSeries[], g: Grouping): Group[] {
  const groups = new Map<string, Group>();
  for (const s of series) {
    const labels = groupLabels(s.labels, g);
    const key = labelsKey(labels);
    const group = groups.get(key) ?? { labels, members: [], dropName: false };
    group.members.push(s);
    group.dropName ||= s.dropName === true && labels.some((l) => l.name === METRIC_NAME);
    groups.set(key, group);
  }
  return [...groups.values()];
}

const NO_TIMES = new Float64Array(0);
/** One window reused for every group and step (the numerics read only vs[lo, hi)). */
const window: MutableWindow = { ts: NO_TIMES, vs: NO_TIMES, lo: 0, hi: 0, rangeStart: 0, rangeEnd: 0, evalTime: 0, neverDrops: false };

function reduce(op: string, vs: Float64Array, n: number, param: number): number {
  const w = window;
  w.vs = vs;
  w.hi = n;
  switch (op) {
    case 'sum':
      return sumOverTime(w);
    case 'avg':
      return avgOverTime(w);
    case 'min':
      return extreme(w, (a, b) => a < b);
    case 'max':
      return extreme(w, (a, b) => a > b);
    case 'count':
      return n;
    case 'group':
      return 1;
    case 'stdvar':
      return variance(w);
    case 'stddev':
      return Math.sqrt(variance(w));
    case 'quantile':
      return quantile(param, vs.subarray(0, n));
    default:
      throw new Error(`unknown aggregation ${op}`);
  }
}

/** sum, avg, min, max, count, group, stddev, stdvar, quantile: one output series per group. */
export function aggregateValues(op: string, series: StepSeries[], steps: number, g: Grouping, param: Float64Array | undefined): StepSeries[] {
  if (op === 'sum') {
    const sum = new GroupSum(g, steps);
    for (const s of series) sum.add(s);
    return sum.result();
  }
  const out: StepSeries[] = [];
  const scratch = new Float64Array(series.length);
  for (const group of groupsOf(series, g)) {
    const values = new Float64Array(steps);
    const present = new Uint8Array(steps);
    for (let i = 0; i < steps; i++) {
      let n = 0;
      for (const s of group.members) if (s.present[i]) scratch[n++] = s.values[i];
      if (n === 0) continue;
      values[i] = reduce(op, scratch, n, param ? param[i] : NaN);
      present[i] = 1;
    }
    if (present.includes(1)) out.push({ labels: group.labels, values, present, dropName: group.dropName });
  }
  return out;
}

/**
 * `sum by/without`, fed one series at a time, all its steps at once: per group and step the same
 * Kahan-compensated additions in the same order as sumOverTime over the step's values (so the
 * same result), groups in the order their first member came. The caller may reuse a series'
 * columns once `add` returns, so a range function's output need not outlive the series.
 */
export class GroupSum {
  private readonly groups = new Map<string, { labels: Labels; sum: Float64Array; comp: Float64Array; present: Uint8Array; dropName: boolean }>();

  constructor(
    private readonly g: Grouping,
    private readonly steps: number,
  ) {}

  add(s: StepSeries): void {
    const labels = groupLabels(s.labels, this.g);
    const key = labelsKey(labels);
    let acc = this.groups.get(key);
    if (!acc) this.groups.set(key, (acc = { labels, sum: new Float64Array(this.steps), comp: new Float64Array(this.steps), present: new Uint8Array(this.steps), dropName: false }));
    acc.dropName ||= s.dropName === true && labels.some((l) => l.name === METRIC_NAME);
    const { sum, comp, present } = acc;
    const vs = s.values;
    const ps = s.present;
    for (let i = 0; i < this.steps; i++) {
      if (ps[i] === 0) continue;
      sum[i] = kahanInc(vs[i], sum[i], comp, i);
      present[i] = 1;
    }
  }

  result(): StepSeries[] {
    const out: StepSeries[] = [];
    for (const { labels, sum, comp, present, dropName } of this.groups.values()) {
      if (!present.includes(1)) continue;
      for (let i = 0; i < this.steps; i++) if (present[i] === 1 && Number.isFinite(sum[i])) sum[i] += comp[i];
      out.push({ labels, values: sum, present, dropName });
    }
    return out;
  }
}

/**
 * topk/bottomk: per group and step, the k largest (smallest) samples keep their series and
 * labels. NaN ranks last either way. For a single step the output is in rank order.
 */
export function selectK(op: 'topk' | 'bottomk', series: StepSeries[], steps: number, g: Grouping, k: Float64Array): StepSeries[] {
  const chosen = series.map((s) => ({ labels: s.labels, values: s.values, present: new Uint8Array(steps), dropName: s.dropName, rank: Infinity }));
  const better = (a: number, b: number) => (Number.isNaN(b) ? !Number.isNaN(a) : op === 'topk' ? a > b : a < b);
  const index = new Map(series.map((s, i) => [s, i]));
  for (const group of groupsOf(series, g)) {
    for (let i = 0; i < steps; i++) {
      const want = Math.floor(k[i]);
      if (!(want >= 1)) continue;
      const here = group.members.filter((s) => s.present[i]);
      here.sort((a, b) => (better(a.values[i], b.values[i]) ? -1 : better(b.values[i], a.values[i]) ? 1 : 0));
      here.slice(0, want).forEach((s, rank) => {
        const c = chosen[index.get(s) as number];
        c.present[i] = 1;
        c.rank = Math.min(c.rank, rank);
      });
    }
  }
  const out = chosen.filter((c) => c.present.includes(1));
  if (steps === 1) out.sort((a, b) => (better(a.values[0], b.values[0]) ? -1 : better(b.values[0], a.values[0]) ? 1 : 0));
  return out.map(({ labels, values, present, dropName }) => ({ labels, values, present, dropName }));
}

/** A copy of each input series with nothing present yet: the selections below fill `present`. */
function unselected(series: StepSeries[], steps: number): StepSeries[] {
  return series.map((s) => ({ labels: s.labels, values: s.values, present: new Uint8Array(steps), dropName: s.dropName }));
}

/**
 * limitk: per group and step, the first k series (in input order) with a sample keep it; k is
 * truncated to an integer, and a step with k < 1 has none. Which series is not meant to be
 * stable across steps, only the count.
 */
export function limitK(series: StepSeries[], steps: number, g: Grouping, k: Float64Array): StepSeries[] {
  const out = unselected(series, steps);
  const index = new Map(series.map((s, i) => [s, i]));
  for (const group of groupsOf(series, g)) {
    for (let i = 0; i < steps; i++) {
      let left = Math.trunc(k[i]);
      for (const s of group.members) {
        if (left < 1) break;
        if (!s.present[i]) continue;
        out[index.get(s) as number].present[i] = 1;
        left--;
      }
    }
  }
  return out.filter((s) => s.present.includes(1));
}

const MAX_UINT64 = 2 ** 64;

/**
 * limit_ratio: a deterministic sample of the series by the hash of their labels, as Prometheus
 * (so both pick the same series): with ratio r >= 0 the series whose hash / 2^64 < r, with
 * r < 0 those whose hash / 2^64 >= 1 + r, so r and -(1 - r) split the series in two. The ratio
 * is capped to [-1, 1] (the engine warns) and may change per step; 0 selects nothing.
 */
export function limitRatio(series: StepSeries[], steps: number, ratios: Float64Array): StepSeries[] {
  const out = unselected(series, steps);
  for (const [n, s] of series.entries()) {
    // A name marked for dropping is not part of the series any more (as in Prometheus by default).
    const offset = Number(labelsHash(s.dropName ? s.labels.filter((l) => l.name !== METRIC_NAME) : s.labels)) / MAX_UINT64;
    for (let i = 0; i < steps; i++) {
      const r = Math.max(-1, Math.min(1, ratios[i]));
      if (!s.present[i] || r === 0) continue;
      if ((r >= 0 && offset < r) || (r < 0 && offset >= 1 + r)) out[n].present[i] = 1;
    }
  }
  return out.filter((s) => s.present.includes(1));
}

/**
 * count_values("label", v): per step, the number of series of each value, with the value (Go's
 * shortest decimal form) as the label; `by` groups include the label, `without` keeps it.
 */
export function countValues(series: StepSeries[], steps: number, g: Grouping, label: string): StepSeries[] {
  const grouping: Grouping = g.without ? g : { labels: [...g.labels, label], without: false };
  const groups = new Map<string, StepSeries>();
  for (const s of series) {
    for (let i = 0; i < steps; i++) {
      if (!s.present[i]) continue;
      const withValue = sortLabels([...s.labels.filter((l) => l.name !== label), { name: label, value: formatGoF(s.values[i]) }]);
      const labels = groupLabels(withValue, grouping);
      const key = labelsKey(labels);
      let out = groups.get(key);
      if (!out) groups.set(key, (out = { labels, values: new Float64Array(steps), present: new Uint8Array(steps) }));
      out.values[i]++;
      out.present[i] = 1;
    }
  }
  return [...groups.values()];
}
