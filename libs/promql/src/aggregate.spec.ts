import type { Labels } from '@myelin/model';
import { aggregateValues, countValues, limitK, limitRatio } from './aggregate';
import { sumOverTime } from './range-functions';
import type { StepSeries } from './engine';

function s(labels: Record<string, string>, values: Array<number | null>): StepSeries {
  const ls: Labels = Object.entries(labels).map(([name, value]) => ({ name, value }));
  return { labels: ls, values: Float64Array.from(values, (v) => v ?? 0), present: Uint8Array.from(values, (v) => (v === null ? 0 : 1)) };
}

const shown = (out: StepSeries[]) => out.map((x) => `${x.labels.map((l) => `${l.name}=${l.value}`).join(',')}:${[...x.values].map((v, i) => (x.present[i] ? v : '_')).join(' ')}`);

describe('sum', () => {
  it.each<[string, Array<Array<number | null>>, string]>([
    ['compensated per step (1e100 + 1 - 1e100 = 1)', [[1e100, 5], [1, null], [-1e100, 2]], ':1 7'],
    ['steps no member has stay absent', [[null, 1], [null, 2]], ':_ 3'],
    ['infinities: +Inf alone, +Inf - Inf is NaN', [[Infinity, Infinity], [1, -Infinity]], ':Infinity NaN'],
  ])('%s', (_, columns, want) => {
    expect(shown(aggregateValues('sum', columns.map((v, i) => s({ i: String(i) }, v)), 2, { labels: [], without: false }, undefined))).toEqual([want]);
  });
});

describe('sum against sumOverTime of each step\'s values', () => {
  it('gives the same result, bit for bit, on awkward values', () => {
    // A fixed pseudo-random mix of magnitudes, signs, infinities, NaN and gaps.
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = (): number | null => {
      const r = next();
      if (r < 0.1) return null;
      if (r < 0.13) return r < 0.115 ? Infinity : -Infinity;
      if (r < 0.14) return NaN;
      return (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    };
    const steps = 50;
    const columns = Array.from({ length: 12 }, () => Array.from({ length: steps }, pick));
    const [got] = aggregateValues('sum', columns.map((v, i) => s({ i: String(i) }, v)), steps, { labels: [], without: false }, undefined);
    for (let t = 0; t < steps; t++) {
      const here = Float64Array.from(columns.map((c) => c[t]).filter((v): v is number => v !== null));
      if (here.length === 0) {
        expect(got.present[t]).toBe(0);
        continue;
      }
      const want = sumOverTime({ ts: here, vs: here, lo: 0, hi: here.length, rangeStart: 0, rangeEnd: 0, evalTime: 0, neverDrops: false });
      expect(Object.is(got.values[t], want) || (Number.isNaN(got.values[t]) && Number.isNaN(want))).toBe(true);
    }
  });
});

describe('limitK', () => {
  const input = [s({ g: 'a', i: '1' }, [1, null, 3]), s({ g: 'a', i: '2' }, [10, 20, 30]), s({ g: 'b', i: '3' }, [100, 200, null])];

  it.each<[string, number[], boolean, string[]]>([
    ['k=1 overall: the first series with a sample at each step', [1, 1, 1], false, ['g=a,i=1:1 _ 3', 'g=a,i=2:_ 20 _']],
    ['k=1 per group', [1, 1, 1], true, ['g=a,i=1:1 _ 3', 'g=a,i=2:_ 20 _', 'g=b,i=3:100 200 _']],
    ['k changing per step, truncated', [0, 2.9, 0.5], false, ['g=a,i=2:_ 20 _', 'g=b,i=3:_ 200 _']],
    ['k larger than the input', [10, 10, 10], false, ['g=a,i=1:1 _ 3', 'g=a,i=2:10 20 30', 'g=b,i=3:100 200 _']],
  ])('%s', (_, k, byGroup, want) => {
    expect(shown(limitK(input, 3, { labels: byGroup ? ['g'] : [], without: false }, Float64Array.from(k)))).toEqual(want);
  });
});

describe('limitRatio', () => {
  const input = Array.from({ length: 40 }, (_, i) => s({ __name__: 'm', i: String(i) }, [i, i]));

  it('splits the series in two for r and -(1 - r), each series in exactly one part', () => {
    for (const r of [0.2, 0.5, 0.8]) {
      const part = new Set(limitRatio(input, 2, Float64Array.of(r, r)).map((x) => x.labels[1].value));
      const rest = new Set(limitRatio(input, 2, Float64Array.of(-(1 - r), -(1 - r))).map((x) => x.labels[1].value));
      expect(part.size + rest.size).toBe(40);
      for (const i of part) expect(rest.has(i)).toBe(false);
    }
  });

  it.each([
    [0, 0],
    [1, 40],
    [-1, 40],
    [1.5, 40], // capped to 1
  ])('ratio %d selects %d of 40', (r, n) => {
    expect(limitRatio(input, 2, Float64Array.of(r, r))).toHaveLength(n);
  });

  it('picks the same series at every step for the same ratio', () => {
    for (const x of limitRatio(input, 2, Float64Array.of(0.5, 0.5))) expect([...x.present]).toEqual([1, 1]);
  });
});

describe('countValues', () => {
  const input = [s({ __name__: 'v', job: 'a', i: '1' }, [6, 6]), s({ __name__: 'v', job: 'a', i: '2' }, [6, 0.5]), s({ __name__: 'v', job: 'b', i: '3' }, [8, null])];

  it.each<[string, { labels: string[]; without: boolean }, string, string[]]>([
    ['overall', { labels: [], without: false }, 'version', ['version=6:2 1', 'version=8:1 _', 'version=0.5:_ 1']],
    ['by job', { labels: ['job'], without: false }, 'version', ['job=a,version=6:2 1', 'job=b,version=8:1 _', 'job=a,version=0.5:_ 1']],
    ['without i, overwriting job', { labels: ['i'], without: true }, 'job', ['job=6:2 1', 'job=8:1 _', 'job=0.5:_ 1']],
  ])('%s', (_, g, label, want) => {
    expect(shown(countValues(input, 2, g, label)).sort()).toEqual(want.sort());
  });
});
