import { compareLabels, formatLabels, labelsKey, sortLabels } from './labels';
import { Matcher } from './matcher';

describe('labels', () => {
  const up = [
    { name: '__name__', value: 'up' },
    { name: 'job', value: 'node' },
  ];

  it('formats as Prometheus does', () => {
    expect(formatLabels(up)).toBe('up{job="node"}');
  });

  it('keys distinct label sets apart, even when concatenations collide', () => {
    expect(labelsKey([{ name: 'a', value: 'bc' }])).not.toBe(labelsKey([{ name: 'ab', value: 'c' }]));
  });

  it('sorts and compares by name then value', () => {
    expect(sortLabels([{ name: 'b', value: '1' }, { name: 'a', value: '2' }]).map((l) => l.name)).toEqual(['a', 'b']);
    expect(compareLabels(up, [...up, { name: 'x', value: '' }])).toBeLessThan(0);
    expect(compareLabels([{ name: 'a', value: '2' }], [{ name: 'a', value: '10' }])).toBeGreaterThan(0);
  });
});

describe('Matcher', () => {
  it.each([
    ['=', 'job', 'node', 'node', true],
    ['=', 'job', 'node', 'nodes', false],
    ['!=', 'job', 'node', 'api', true],
    ['=~', 'job', 'no.*', 'node', true],
    ['=~', 'job', 'od', 'node', false],
    ['=~', 'job', 'a|b', 'b', true],
    ['=~', 'job', 'a|b', 'ab', false],
    ['!~', 'job', 'a|b', 'ab', true],
    ['=~', 'job', '', '', true],
    ['=~', 'job', '.*', 'line\nbreak', true],
    ['=~', 'env', '(?i:PRO).*', 'production', true],
    ['=~', 'env', '(?i)prod', 'PROD', true],
    ['=~', 'env', '.*((?i)DUC).*', 'proDUCtion', true],
    ['=~', 'env', 'a(?i:b)c', 'aBc', true],
    ['=~', 'env', 'a(?i:b)c', 'aBC', false],
    ['=~', 'env', '(?i:[a-c]x)', 'BX', true],
  ] as const)('%s %s %j on %j -> %s', (type, name, value, input, expected) => {
    expect(new Matcher(type, name, value).matches(input)).toBe(expected);
  });

  it('treats a missing label as empty', () => {
    expect(new Matcher('=', 'env', '').matchesLabels([{ name: 'job', value: 'x' }])).toBe(true);
    expect(new Matcher('!=', 'env', '').matchesEmpty).toBe(false);
  });

  it('names the label on a bad regex', () => {
    expect(() => new Matcher('=~', 'job', '(')).toThrow(/^invalid regular expression "\(" for label job: /);
  });
});

describe('label bytes', () => {
  const { decodeLabels, encodeLabels, labelKeyOf, skipLabels } = jest.requireActual('./label-bytes');
  const labels = [
    { name: '__name__', value: 'température' },
    { name: 'job', value: '' },
  ];

  it('round-trips, and equal label sets give equal keys', () => {
    const b = encodeLabels(labels);
    expect(decodeLabels(b, 0)).toEqual({ labels, end: b.length });
    expect(skipLabels(b, 0)).toBe(b.length);
    expect(labelKeyOf(b)).toBe(labelKeyOf(encodeLabels(labels.map((l) => ({ ...l })))));
    expect(labelKeyOf(b)).not.toBe(labelKeyOf(encodeLabels([labels[0]])));
  });

  it('refuses every truncation', () => {
    const b = encodeLabels(labels);
    for (let n = 0; n < b.length; n++) {
      expect(() => decodeLabels(b, 0, n)).toThrow(RangeError);
      expect(() => skipLabels(b, 0, n)).toThrow(RangeError);
    }
  });
});

describe('sorted lists', () => {
  const { intersectSorted, unionSorted } = jest.requireActual('./sorted');
  it.each([
    [[1, 3, 5, 7], [3, 4, 5, 8], [3, 5]],
    [[], [1], []],
    [[1, 2], [1, 2], [1, 2]],
  ])('intersects %j and %j', (a, b, expected) => {
    expect(intersectSorted(a, b)).toEqual(expected);
  });
  it('unions without repeats', () => {
    expect(unionSorted([[1, 4], [2, 4, 9], []])).toEqual([1, 2, 4, 9]);
  });
});
