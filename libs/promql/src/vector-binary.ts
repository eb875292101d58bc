import { type Labels, labelsKey, labelsString, METRIC_NAME, sortLabels } from '@myelin/model';
import type { VectorMatching } from './ast';
import type { StepSeries } from './engine';
import { EvalError } from './errors';
import { COMPARISON_OPS, scalarOp } from './operators';

/**
 * A binary operator between two instant vectors, step by step, with Prometheus's matching:
 * series pair up by their signature (the `on (...)` labels, or all but the `ignoring (...)` ones
 * and the metric name); `and`, `or`, `unless` are many-to-many set operations; the others pair
 * one-to-one, or many-to-one/one-to-many with `group_left`/`group_right`, and refuse ambiguous
 * pairings with Prometheus's errors.
 */
export function vectorBinary(op: string, returnBool: boolean, m: VectorMatching, lhs: StepSeries[], rhs: StepSeries[], steps: number): StepSeries[] {
  const sig = (labels: Labels) => labelsKey(m.on ? labels.filter((l) => m.labels.includes(l.name)) : labels.filter((l) => l.name !== METRIC_NAME && !m.labels.includes(l.name)));
  if (op === 'and' || op === 'unless') return setFilter(op, lhs, rhs, steps, sig);
  if (op === 'or') return setUnion(lhs, rhs, steps, sig);
  return pairwise(op, returnBool, m, lhs, rhs, steps, sig);
}

type Sig = (labels: Labels) => string;

function copy(s: StepSeries, steps: number): StepSeries {
  return { labels: s.labels, values: new Float64Array(steps), present: new Uint8Array(steps), dropName: s.dropName };
}

function keepNonEmpty(series: StepSeries[]): StepSeries[] {
  return series.filter((s) => s.present.includes(1));
}

/** `and` keeps left samples whose signature the right has at the step; `unless` the others. */
function setFilter(op: 'and' | 'unless', lhs: StepSeries[], rhs: StepSeries[], steps: number, sig: Sig): StepSeries[] {
  const rightSigs = rhs.map((s) => sig(s.labels));
  return keepNonEmpty(
    lhs.map((l) => {
      const out = copy(l, steps);
      const key = sig(l.labels);
      for (let i = 0; i < steps; i++) {
        if (!l.present[i]) continue;
        const matched = rhs.some((r, j) => r.present[i] && rightSigs[j] === key);
        if (matched === (op === 'and')) {
          out.values[i] = l.values[i];
          out.present[i] = 1;
        }
      }
      return out;
    }),
  );
}

/** `or`: every left sample, and right samples whose signature the left lacks at the step. */
function setUnion(lhs: StepSeries[], rhs: StepSeries[], steps: number, sig: Sig): StepSeries[] {
  const leftSigs = lhs.map((s) => sig(s.labels));
  const right = rhs.map((r) => {
    const out = copy(r, steps);
    const key = sig(r.labels);
    for (let i = 0; i < steps; i++) {
      if (!r.present[i] || lhs.some((l, j) => l.present[i] && leftSigs[j] === key)) continue;
      out.values[i] = r.values[i];
      out.present[i] = 1;
    }
    return out;
  });
  return [...lhs, ...keepNonEmpty(right)];
}

/** The labels of a result: Prometheus's resultMetric. */
function resultLabels(many: Labels, one: Labels, m: VectorMatching): Labels {
  let labels = many;
  if (m.card === 'one-to-one') labels = m.on ? labels.filter((l) => m.labels.includes(l.name)) : labels.filter((l) => !m.labels.includes(l.name));
  for (const name of m.include) {
    const v = one.find((l) => l.name === name)?.value ?? '';
    labels = labels.filter((l) => l.name !== name);
    if (v !== '') labels = [...labels, { name, value: v }];
  }
  return sortLabels(labels.slice());
}

function pairwise(op: string, returnBool: boolean, m: VectorMatching, lhs: StepSeries[], rhs: StepSeries[], steps: number, sig: Sig): StepSeries[] {
  const fn = scalarOp(op, returnBool);
  const filter = COMPARISON_OPS.has(op) && !returnBool;
  // The "many" side drives; group_right swaps the sides for matching (values keep their order).
  const swap = m.card === 'one-to-many';
  const [many, one] = swap ? [rhs, lhs] : [lhs, rhs];
  const manySigs = many.map((s) => sig(s.labels));
  const oneSigs = one.map((s) => sig(s.labels));
  const out = new Map<string, StepSeries>();
  for (let i = 0; i < steps; i++) {
    const oneAt = new Map<string, StepSeries>();
    for (const [j, s] of one.entries()) {
      if (!s.present[i]) continue;
      const seen = oneAt.get(oneSigs[j]);
      if (seen) {
        const side = swap ? 'left' : 'right';
        // As Prometheus: the matched labels and both series in full, the series in sorted order.
        const group = m.on ? s.labels.filter((l) => m.labels.includes(l.name)) : s.labels.filter((l) => l.name !== METRIC_NAME && !m.labels.includes(l.name));
        const [a, b] = [labelsString(seen.labels), labelsString(s.labels)].sort();
        throw new EvalError(`found duplicate series for the match group ${labelsString(group)} on the ${side} hand-side of the operation: [${a}, ${b}];many-to-many matching not allowed: matching labels must be unique on one side`);
      }
      oneAt.set(oneSigs[j], s);
    }
    const matched = new Set<string>();
    const inserted = new Set<string>();
    for (const [j, s] of many.entries()) {
      if (!s.present[i]) continue;
      const partner = oneAt.get(manySigs[j]);
      if (!partner) continue;
      if (m.card === 'one-to-one') {
        if (matched.has(manySigs[j])) throw new EvalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
        matched.add(manySigs[j]);
      }
      const [lv, rv] = swap ? [partner.values[i], s.values[i]] : [s.values[i], partner.values[i]];
      const res = fn(lv, rv);
      if (filter && res !== 1) continue;
      const labels = resultLabels(s.labels, partner.labels, m);
      const dropName = filter ? s.dropName === true : true;
      const key = `${dropName ? 'd' : 'k'}${labelsKey(labels)}`;
      if (m.card !== 'one-to-one') {
        if (inserted.has(key)) throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
        inserted.add(key);
      }
      let series = out.get(key);
      if (!series) out.set(key, (series = { labels, values: new Float64Array(steps), present: new Uint8Array(steps), dropName }));
      // A comparison keeps the left-hand value (for group_right, the "one" side's), as Prometheus.
      series.values[i] = filter ? lv : res;
      series.present[i] = 1;
    }
  }
  return [...out.values()];
}
