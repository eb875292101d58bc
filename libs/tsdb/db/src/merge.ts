import { compareLabels, labelsKey } from '@myelin/model';
import type { Series } from '@myelin/storage';

/**
 * Merges series from several sources (the head and local blocks, or replicas): equal label sets
 * become one series, samples sorted by time, one sample per timestamp (the first source's).
 */
export function mergeSeries(lists: Series[][]): Series[] {
  const byKey = new Map<string, Series[]>();
  for (const list of lists) for (const s of list) (byKey.get(labelsKey(s.labels)) ?? byKey.set(labelsKey(s.labels), []).get(labelsKey(s.labels))!).push(s);
  const out: Series[] = [];
  for (const group of byKey.values()) out.push(group.length === 1 ? group[0] : mergeSamples(group));
  return out.sort((a, b) => compareLabels(a.labels, b.labels));
}

function mergeSamples(group: Series[]): Series {
  const total = group.reduce((n, s) => n + s.timestamps.length, 0);
  const idx: Array<{ t: number; v: number; src: number }> = [];
  group.forEach((s, src) => s.timestamps.forEach((t, i) => idx.push({ t, v: s.values[i], src })));
  idx.sort((a, b) => a.t - b.t || a.src - b.src);
  const t = new Float64Array(total);
  const v = new Float64Array(total);
  let n = 0;
  for (const x of idx) {
    if (n > 0 && t[n - 1] === x.t) continue;
    t[n] = x.t;
    v[n] = x.v;
    n++;
  }
  return { labels: group[0].labels, timestamps: t.slice(0, n), values: v.slice(0, n) };
}
