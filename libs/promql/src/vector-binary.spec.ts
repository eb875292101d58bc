import type { Labels } from '@myelin/model';
import type { VectorMatching } from './ast';
import type { StepSeries } from './engine';
import { vectorBinary } from './vector-binary';

function s(labels: Record<string, string>, value: number): StepSeries {
  const ls: Labels = Object.entries(labels).map(([name, v]) => ({ name, value: v }));
  return { labels: ls, values: Float64Array.of(value), present: Uint8Array.of(1) };
}

const plain = (card: VectorMatching['card'] = 'one-to-one'): VectorMatching => ({ card, on: false, labels: [], include: [] });
const on = (labels: string[], card: VectorMatching['card'] = 'one-to-one', include: string[] = []): VectorMatching => ({ card, on: true, labels, include });

function show(series: StepSeries[]) {
  return series.map((x) => ({ labels: Object.fromEntries(x.labels.map((l) => [l.name, l.value])), value: x.values[0], dropName: x.dropName === true }));
}

describe('vectorBinary', () => {
  const errors = [s({ __name__: 'errors', job: 'a' }, 2), s({ __name__: 'errors', job: 'b' }, 4)];
  const total = [s({ __name__: 'total', job: 'a' }, 10), s({ __name__: 'total', job: 'c' }, 20)];

  it('pairs one-to-one on all labels but the name, and marks the name for dropping', () => {
    expect(show(vectorBinary('/', false, plain(), errors, total, 1))).toEqual([{ labels: { __name__: 'errors', job: 'a' }, value: 0.2, dropName: true }]);
  });

  it.each([
    ['and', [{ job: 'a', value: 2 }]],
    ['unless', [{ job: 'b', value: 4 }]],
    ['or', [{ job: 'a', value: 2 }, { job: 'b', value: 4 }, { job: 'c', value: 20 }]],
  ])('%s', (op, want) => {
    expect(show(vectorBinary(op, false, plain('many-to-many'), errors, total, 1)).map((x) => ({ job: x.labels.job, value: x.value }))).toEqual(want);
  });

  it('filters with a comparison, keeping the left value and name', () => {
    expect(show(vectorBinary('<', false, on(['job']), errors, total, 1))).toEqual([{ labels: { job: 'a' }, value: 2, dropName: false }]);
  });

  it('group_left copies the included labels from the one side', () => {
    const info = [s({ __name__: 'info', job: 'a', version: '1.2' }, 1)];
    const got = show(vectorBinary('*', false, on(['job'], 'many-to-one', ['version']), errors, info, 1));
    expect(got).toEqual([{ labels: { __name__: 'errors', job: 'a', version: '1.2' }, value: 2, dropName: true }]);
  });

  it.each([
    ['many lefts to one right without group_left', on(['a']), [s({ a: '1', b: 'x' }, 1), s({ a: '1', b: 'y' }, 2)], [s({ a: '1' }, 3)], 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)'],
    ['duplicate series on the one side', on(['a'], 'many-to-one'), [s({ a: '1' }, 1)], [s({ a: '1', b: 'x' }, 1), s({ a: '1', b: 'y' }, 2)], 'found duplicate series for the match group'],
  ])('refuses %s', (_, m, l, r, message) => {
    expect(() => vectorBinary('+', false, m, l, r, 1)).toThrow(message);
  });
});
