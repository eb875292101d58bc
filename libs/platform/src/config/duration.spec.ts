import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['5h', 5 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2d', 2 * 86_400_000],
    ['1w', 7 * 86_400_000],
    ['1y', 365 * 86_400_000],
    ['250us', 0.25],
    [' 10s ', 10_000],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'h', '5x', '-5s', '5h 3m', '1h30', 'abc', '5S'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [5 * 3_600_000, '5h'],
    [90 * 60_000, '1h30m'],
    [1500, '1s500ms'],
    [60_000, '1m'],
  ])('%d ms -> %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
