import { localSeriesLimit } from './ingester.service';

describe('localSeriesLimit', () => {
  it.each([
    // local, global, ACTIVE ingesters, RF -> limit in this ingester
    [5000, 0, 3, 3, 5000],
    [0, 0, 3, 3, 0],
    [0, 3000, 3, 3, 3000],
    [0, 3000, 6, 3, 1500],
    [1000, 3000, 6, 3, 1000],
    [0, 3000, 0, 3, 0],
    [0, 1000, 3, 1, 333],
  ])('local %d, global %d over %d ingesters at RF %d -> %d', (local, global, active, rf, expected) => {
    expect(localSeriesLimit(local, global, active, rf)).toBe(expected);
  });
});
