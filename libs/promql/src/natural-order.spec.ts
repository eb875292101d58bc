import { naturalLess } from './natural-order';

describe('naturalLess', () => {
  it.each([
    ['2', '10', true],
    ['10', '2', false],
    ['cpu2', 'cpu10', true],
    ['a', 'b', true],
    ['b', 'a', false],
    ['abc', 'abc1', true],
    ['abc1', 'abc', false],
    ['x01', 'x1', true], // equal to the end: natsort answers true either way round
    ['99999999999999999999', '100000000000000000000', false], // past int64: compared as strings
    ['', 'a', false],
  ])('%j < %j: %s', (a, b, want) => {
    expect(naturalLess(a, b)).toBe(want);
  });
});
