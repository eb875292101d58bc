import { isValidGoUtf8 } from './go-format';
import { compareLabels, type Labels, METRIC_NAME, sortLabels } from '@myelin/model';
import { naturalLess } from './natural-order';
import type { StepSeries } from './engine';
import { EvalError } from './errors';

/** A label name Prometheus 3 accepts: non-empty valid UTF-8. */
export function validLabelName(name: string): boolean {
  return name.length > 0 && isValidGoUtf8(name);
}

function withLabel(labels: Labels, name: string, value: string): Labels {
  const rest = labels.filter((l) => l.name !== name);
  if (value === '') return rest;
  return sortLabels([...rest, { name, value }]);
}

/** Go's regexp Expand for a template: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_, all: string, braced: string | undefined, bare: string | undefined) => {
    if (all === '$') return '$';
    const ref = (braced ?? bare) as string;
    const value = /^\d+$/.test(ref) ? match[Number(ref)] : match.groups?.[ref];
    return value ?? '';
  });
}

/** Go RE2's named groups `(?P<name>...)` are JavaScript's `(?<name>...)`. */
function compileAnchored(regex: string): RegExp {
  try {
    return new RegExp(`^(?:${regex.replace(/\(\?P</g, '(?<')})$`, 's');
  } catch {
    throw new EvalError(`invalid regular expression in label_replace(): ${regex}`);
  }
}

/**
 * label_replace(v, dst, replacement, src, regex): where `regex` matches all of src's value, dst
 * becomes the expanded replacement (an empty result removes dst). Setting the metric name keeps it
 * from being dropped.
 */
export function labelReplace(series: StepSeries[], dst: string, replacement: string, src: string, regex: string): StepSeries[] {
  const re = compileAnchored(regex);
  if (!validLabelName(dst)) throw new EvalError(`invalid destination label name in label_replace(): ${dst}`);
  return series.map((s) => {
    const m = re.exec(s.labels.find((l) => l.name === src)?.value ?? '');
    if (!m) return s;
    return { ...s, labels: withLabel(s.labels, dst, expandTemplate(replacement, m)), dropName: dst === METRIC_NAME ? false : s.dropName };
  });
}

/** label_join(v, dst, separator, src...): dst becomes the src values joined. */
export function labelJoin(series: StepSeries[], dst: string, separator: string, srcs: string[]): StepSeries[] {
  if (!validLabelName(dst)) throw new EvalError(`invalid destination label name in label_join(): ${dst}`);
  for (const src of srcs) if (!validLabelName(src)) throw new EvalError(`invalid source label name in label_join(): ${src}`);
  return series.map((s) => {
    const value = srcs.map((src) => s.labels.find((l) => l.name === src)?.value ?? '').join(separator);
    return { ...s, labels: withLabel(s.labels, dst, value), dropName: dst === METRIC_NAME ? false : s.dropName };
  });
}

/**
 * sort_by_label(v, labels...): by each named label's value in natural order, then by the whole
 * label set; `desc` reverses both. Missing labels count as "".
 */
export function sortByLabel(series: StepSeries[], names: string[], desc: boolean): StepSeries[] {
  const value = (s: StepSeries, name: string) => s.labels.find((l) => l.name === name)?.value ?? '';
  const order = (a: StepSeries, b: StepSeries): number => {
    for (const name of names) {
      const [x, y] = [value(a, name), value(b, name)];
      if (x !== y) return naturalLess(x, y) ? -1 : 1;
    }
    return compareLabels(a.labels, b.labels);
  };
  return series.slice().sort((a, b) => (desc ? -order(a, b) : order(a, b)));
}
