import { coalesceRanges } from './coalesce';

describe('coalesceRanges', () => {
  const r = (offset: number, length: number) => ({ offset, length });
  it.each<[string, Array<[number, number]>, number, number, Array<[number, number, number[]]>]>([
    ['adjacent ranges become one read', [[0, 10], [10, 10], [20, 10]], 0, 1000, [[0, 30, [0, 1, 2]]]],
    ['a gap within maxGap is read through', [[0, 10], [15, 10]], 5, 1000, [[0, 25, [0, 1]]]],
    ['a gap beyond maxGap splits', [[0, 10], [16, 10]], 5, 1000, [[0, 10, [0]], [16, 10, [1]]]],
    ['input order does not matter', [[100, 10], [0, 10], [105, 10]], 0, 1000, [[0, 10, [1]], [100, 15, [0, 2]]]],
    ['maxLength caps a merged read', [[0, 10], [10, 10], [20, 10]], 0, 20, [[0, 20, [0, 1]], [20, 10, [2]]]],
    ['overlapping ranges merge', [[0, 20], [5, 5]], 0, 1000, [[0, 20, [0, 1]]]],
    ['nothing to read', [], 0, 1000, []],
  ])('%s', (_, ranges, gap, max, want) => {
    expect(coalesceRanges(ranges.map(([o, l]) => r(o, l)), gap, max).map((m) => [m.offset, m.length, m.members])).toEqual(want);
  });
});
