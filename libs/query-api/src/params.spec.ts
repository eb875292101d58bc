import { ApiError } from './api-error';
import { durationParam, formOf, parseDuration, parseTime, timeParam } from './params';

describe('parseTime', () => {
  it.each<[string, number | undefined]>([
    ['1700000000', 1_700_000_000_000],
    ['1700000000.5', 1_700_000_000_500],
    ['1435781451.781', 1_435_781_451_781],
    ['-1', -1000],
    ['2023-11-14T22:13:20Z', 1_700_000_000_000],
    ['2023-11-14T22:13:20.25+01:00', 1_699_996_400_250],
    ['yesterday', undefined],
    ['', undefined],
  ])('%j -> %s', (text, want) => {
    expect(parseTime(text)).toBe(want);
  });
});

describe('parseDuration', () => {
  it.each<[string, number | undefined]>([
    ['15', 15_000],
    ['0.5', 500],
    ['1m30s', 90_000],
    ['5m', 300_000],
    ['fast', undefined],
  ])('%j -> %s', (text, want) => {
    expect(parseDuration(text)).toBe(want);
  });
});

describe('parameters', () => {
  it('merges query string and form body, keeping every value', () => {
    expect(formOf({ 'match[]': ['a', 'b'] }, { 'match[]': 'c', step: 15 }).get('match[]')).toEqual(['a', 'b', 'c']);
  });

  it.each<[string, () => unknown, string]>([
    ['a bad time', () => timeParam(formOf({ start: 'soon' }), 'start', 0), 'invalid parameter "start": cannot parse "soon" to a valid timestamp'],
    ['a bad step', () => durationParam(formOf({ step: 'often' }), 'step'), 'invalid parameter "step": cannot parse "often" to a valid duration'],
    ['a missing step', () => durationParam(formOf({}), 'step'), 'invalid parameter "step": cannot parse "" to a valid duration'],
  ])('refuses %s as bad_data naming the parameter', (_, f, message) => {
    expect(f).toThrow(new ApiError('bad_data', message));
    try {
      f();
    } catch (e) {
      expect((e as ApiError).status).toBe(400);
    }
  });

  it('uses the fallback for an absent time', () => {
    expect(timeParam(formOf({}), 'time', 42)).toBe(42);
  });
});
