import { compareLabels, type Labels, labelsKey, type Matcher } from '@myelin/model';
import { NotImplementedError } from '@myelin/promql';
import { type Querier, type Queryable, type Series, seriesSetOf } from '@myelin/storage';
import type { LoadCommand } from './script';

/** Prometheus's staleness marker as written by `stale` in a load: NaN with bits 0x7ff0000000000002. */
const STALE_NAN = new Float64Array(new Uint32Array([0x00000002, 0x7ff00000]).buffer);

/**
 * The series loaded by a script's `load` commands, as a Queryable: sample i of a series is at
 * i × interval, `_` leaves no sample, `stale` writes a staleness marker. `clear` drops them all.
 */
export class LoadedSeries implements Queryable {
  private series: Series[] = [];

  /** Native-histogram series derived by `load_with_nhcb` (not loaded as samples). */
  private nativeOnly: Labels[] = [];

  /** Series that hold native-histogram samples: selecting one raises NotImplementedError. */
  private readonly histogramSeries = new Set<string>();

  load(cmd: LoadCommand): void {
    // load_with_nhcb also loads each classic histogram as a native one named without `_bucket`
    // (and without `le`): those series exist for selection, as native histograms.
    if (cmd.withNhcb) {
      for (const def of cmd.series) {
        const name = def.labels.find((l) => l.name === '__name__')?.value ?? '';
        if (!name.endsWith('_bucket') || !def.labels.some((l) => l.name === 'le')) continue;
        const labels = def.labels.filter((l) => l.name !== 'le').map((l) => (l.name === '__name__' ? { name: l.name, value: name.slice(0, -'_bucket'.length) } : l));
        this.nativeOnly.push(labels);
      }
    }
    for (const def of cmd.series) {
      // Typed arrays throughout: V8 canonicalises NaNs stored in plain arrays, which would turn
      // a staleness marker into an ordinary NaN.
      const ts = new Float64Array(def.values.length);
      const vs = new Float64Array(def.values.length);
      let n = 0;
      def.values.forEach((v, i) => {
        if (v.kind === 'missing') return;
        if (v.kind === 'histogram') {
          this.histogramSeries.add(labelsKey(def.labels));
          return;
        }
        ts[n] = i * cmd.intervalMs;
        vs[n] = v.kind === 'stale' ? STALE_NAN[0] : v.value;
        n++;
      });
      this.append(def.labels, ts.subarray(0, n), vs.subarray(0, n));
    }
    this.series.sort((a, b) => compareLabels(a.labels, b.labels));
  }

  clear(): void {
    this.series = [];
    this.nativeOnly = [];
    this.histogramSeries.clear();
  }

  async querier(mint: number, maxt: number): Promise<Querier> {
    const all = this.series;
    const inRange = (s: Series): Series => {
      const from = s.timestamps.findIndex((t) => t >= mint);
      const lo = from < 0 ? s.timestamps.length : from;
      let hi = lo;
      while (hi < s.timestamps.length && s.timestamps[hi] <= maxt) hi++;
      return { labels: s.labels, timestamps: s.timestamps.slice(lo, hi), values: s.values.slice(lo, hi) };
    };
    const histograms = this.histogramSeries;
    const matching = (ms: readonly Matcher[] = []) => {
      const found = all.filter((s) => ms.every((m) => m.matchesLabels(s.labels)));
      const native = this.nativeOnly.some((labels) => ms.every((m) => m.matchesLabels(labels)));
      if (native || found.some((s) => histograms.has(labelsKey(s.labels)))) throw new NotImplementedError('native histograms are not evaluated yet');
      return found;
    };
    return {
      select: async (ms) => seriesSetOf(matching(ms).map(inRange)),
      labelNames: async (ms) => [...new Set(matching(ms).flatMap((s) => s.labels.map((l) => l.name)))].sort(),
      labelValues: async (name, ms) => [...new Set(matching(ms).flatMap((s) => s.labels.filter((l) => l.name === name).map((l) => l.value)))].sort(),
      close: async () => undefined,
    };
  }

  /** A series loaded twice (same labels) gets the later load's samples merged in. */
  private append(labels: Labels, ts: Float64Array, vs: Float64Array): void {
    const at = this.series.findIndex((s) => compareLabels(s.labels, labels) === 0);
    if (at < 0) {
      this.series.push({ labels, timestamps: ts.slice(), values: vs.slice() });
      return;
    }
    const old = this.series[at];
    // Merge by timestamp, the later load winning; indices, not values, go through plain arrays.
    const order = [...old.timestamps.keys()].map((i) => ({ t: old.timestamps[i], from: old.values, i }));
    for (const [i, t] of ts.entries()) {
      const same = order.findIndex((o) => o.t === t);
      if (same >= 0) order.splice(same, 1);
      order.push({ t, from: vs, i });
    }
    order.sort((a, b) => a.t - b.t);
    const timestamps = new Float64Array(order.length);
    const values = new Float64Array(order.length);
    order.forEach((o, k) => {
      timestamps[k] = o.t;
      values[k] = o.from[o.i];
    });
    this.series[at] = { labels, timestamps, values };
  }
}
