import type { StepSeries } from './engine';
import { DATE_FUNCTIONS } from './date-functions';
import { expandTemplate, labelJoin, labelReplace } from './label-functions';

const one = (labels: Record<string, string>, dropName = false): StepSeries => ({
  labels: Object.entries(labels).map(([name, value]) => ({ name, value })),
  values: Float64Array.of(1),
  present: Uint8Array.of(1),
  dropName,
});
const plain = (s: StepSeries[]) => s.map((x) => ({ labels: Object.fromEntries(x.labels.map((l) => [l.name, l.value])), dropName: x.dropName }));

describe('label functions', () => {
  it.each([
    ['$1-$2', 'a-b'],
    ['${1}x', 'ax'],
    ['$1x', ''], // Go reads "$1x" as the group named "1x"
    ['$$1', '$1'],
    ['${name}', 'b'],
  ])('expands %s', (template, want) => {
    expect(expandTemplate(template, /^(?<first>a)-(?<name>b)$/.exec('a-b') as RegExpExecArray)).toBe(want);
  });

  it('label_replace sets dst where the regex matches all of src, removes it when empty, and keeps a set name', () => {
    const input = [one({ __name__: 'up', src: 'host:9100' }, true), one({ __name__: 'up', src: 'other' }, true)];
    expect(plain(labelReplace(input, 'host', '$1', 'src', '(.+):\\d+'))).toEqual([
      { labels: { __name__: 'up', host: 'host', src: 'host:9100' }, dropName: true },
      { labels: { __name__: 'up', src: 'other' }, dropName: true },
    ]);
    expect(plain(labelReplace(input, 'src', '', 'src', '.*'))[0].labels).toEqual({ __name__: 'up' });
    expect(plain(labelReplace(input, '__name__', 'x_$1', '__name__', '(.+)'))[0]).toEqual({ labels: { __name__: 'x_up', src: 'host:9100' }, dropName: false });
  });

  it.each([
    ['(.*', 'dst', 'invalid regular expression in label_replace(): (.*'],
    ['(.*)', '', 'invalid destination label name in label_replace(): '],
  ])('label_replace refuses regex %s / dst %j', (regex, dst, message) => {
    expect(() => labelReplace([one({ a: 'b' })], dst, '', 'a', regex)).toThrow(message);
  });

  it('label_join joins the source values', () => {
    expect(plain(labelJoin([one({ a: 'x', b: 'y' })], 'c', '-', ['a', 'b', 'missing']))[0].labels).toEqual({ a: 'x', b: 'y', c: 'x-y-' });
  });

  it.each([
    ['minute', 3_661, 1],
    ['hour', 3_661, 1],
    ['day_of_week', 0, 4], // 1970-01-01 was a Thursday
    ['day_of_month', 86_400 * 31, 1],
    ['day_of_year', 86_400 * 59, 60],
    ['days_in_month', 86_400 * 40, 28],
    ['month', 86_400 * 40, 2],
    ['year', 1_700_000_000, 2023],
  ])('%s(%d) = %d', (name, seconds, want) => {
    expect(DATE_FUNCTIONS[name](seconds)).toBe(want);
  });
});
