import type { Labels } from '@myelin/model';
import { RateLimiter } from './rate-limiter';
import { validateLabels, validateTimestamp, type ValidationLimits } from './validate';

const limits: ValidationLimits = {
  maxLabelNamesPerSeries: 4,
  maxLabelNameLength: 10,
  maxLabelValueLength: 12,
  rejectOldSamples: true,
  rejectOldSamplesMaxAgeMs: 3_600_000,
  creationGracePeriodMs: 600_000,
};
const L = (...pairs: string[]): Labels => Array.from({ length: pairs.length / 2 }, (_, i) => ({ name: pairs[2 * i], value: pairs[2 * i + 1] }));

describe('validateLabels', () => {
  it.each([
    [L('__name__', 'up', 'job', 'node'), undefined],
    [L('__name__', 'ns:rule_1', 'a', 'b'), undefined],
    [L(), 'series has no labels'],
    [L('job', 'node'), 'sample missing metric name: series "{job=\\"node\\"}" has no __name__ label'],
    [L('__name__', '1up'), 'invalid metric name "1up" in series "1up{}"'],
    [L('__name__', 'up', 'job', 'a', 'job', 'b'), 'duplicate label name "job" in series "up{job=\\"a\\", job=\\"b\\"}"'],
    [L('__name__', 'up', 'zone', 'a', 'job', 'b'), 'labels not sorted: "zone" before "job" in series "up{zone=\\"a\\", job=\\"b\\"}"'],
    [L('__name__', 'up', 'a', '1', 'b', '2', 'c', '3', 'd', '4'), 'series "up{a=\\"1\\", b=\\"2\\", c=\\"3\\", d=\\"4\\"}" has 5 label names; limit 4 (-validation.max-label-names-per-series)'],
    [L('__name__', 'up', 'bad-name', 'x'), 'invalid label name "bad-name" in series "up{bad-name=\\"x\\"}"'],
    [L('__name__', 'up', 'averyverylongname', 'x'), 'label name too long: "averyverylongname" (17 > 10, -validation.max-length-label-name) in series "up{averyverylongname=\\"x\\"}"'],
    [L('__name__', 'up', 'job', ''), 'empty value for label "job" in series "up{job=\\"\\"}"'],
    [L('__name__', 'up', 'job', 'a-very-long-value'), 'label value too long: "a-very-long-value" for label "job" (17 > 12, -validation.max-length-label-value) in series "up{job=\\"a-very-long-value\\"}"'],
  ])('%j', (labels, expected) => {
    expect(validateLabels(labels, limits)).toBe(expected);
  });
});

describe('validateTimestamp', () => {
  const now = 10_000_000;
  const up = L('__name__', 'up');
  it.each([
    [now, undefined],
    [now + 600_000, undefined],
    [now + 600_001, 'timestamp too new: 10600001 is more than 600000 ms in the future (-validation.create-grace-period) for series "up{}"'],
    [now - 3_600_000, undefined],
    [now - 3_600_001, 'timestamp too old: 6399999 is older than 3600000 ms (-validation.reject-old-samples-max-age) for series "up{}"'],
  ])('%d', (t, expected) => {
    expect(validateTimestamp(t, now, up, limits)).toBe(expected);
  });

  it('accepts old samples when rejecting them is off', () => {
    expect(validateTimestamp(0, now, up, { ...limits, rejectOldSamples: false })).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('allows a burst, refuses beyond it, refills at the rate', () => {
    const clock = { t: 0, now() { return this.t; } };
    const rl = new RateLimiter(clock);
    expect(rl.allow('a', 100, 10, 100)).toBe(true);
    expect(rl.allow('a', 1, 10, 100)).toBe(false);
    expect(rl.allow('b', 50, 10, 100)).toBe(true); // tenants apart
    clock.t = 1000;
    expect(rl.allow('a', 11, 10, 100)).toBe(false); // refused whole, takes nothing
    expect(rl.allow('a', 10, 10, 100)).toBe(true);
  });

  it('never limits with a zero rate', () => {
    expect(new RateLimiter({ now: () => 0 }).allow('a', 1e9, 0, 0)).toBe(true);
  });
});

describe('WritePreparer', () => {
  const { WritePreparer } = jest.requireActual('./prepare');
  const { encodeWriteRequestV1 } = jest.requireActual('./encode');
  const { snappyEncode } = jest.requireActual('./snappy');
  const now = 10_000_000;
  const p = new WritePreparer({ limits: { ...limits, rejectOldSamples: false }, shardByAllLabels: false, maxMessageSize: 1 << 20 });
  const S = (name: string, ts: number[]) => ({ labels: L('__name__', name), timestamps: ts, values: ts.map((t: number) => t / 1000) });

  it('keeps what is valid, in order, and says what it dropped', () => {
    const body = snappyEncode(encodeWriteRequestV1([S('a', [1000, 2000]), { labels: L('job', 'nameless'), timestamps: [1], values: [1] }, S('c', [3000, now + 3_600_000, 4000])]));
    const w = p.prepare(body, 1, 'tenant', now);
    expect([...w.ids]).toHaveLength(2);
    expect(w.newKeys).toHaveLength(2);
    expect(w.ids[0]).toBe(w.firstNewId);
    expect([...w.offsets]).toEqual([0, 2, 4]);
    expect([...w.timestamps]).toEqual([1000, 2000, 3000, 4000]);
    expect([...w.values]).toEqual([1, 2, 3, 4]);
    expect(w).toMatchObject({ samples: 4, received: 6, discardedInvalidLabels: 1, discardedInvalidTimestamps: 1 });
    expect(w.firstError).toBe('sample missing metric name: series "{job=\\"nameless\\"}" has no __name__ label');
    expect(w.hashes[0]).not.toBe(w.hashes[1]);
  });

  it('names a known series in a timestamp error (its labels come from the cache, not the body)', () => {
    const series = [S('known', [now - 1000])];
    p.prepare(snappyEncode(encodeWriteRequestV1(series)), 1, 'tenant', now);
    const w = p.prepare(snappyEncode(encodeWriteRequestV1([S('known', [now + 3_600_000])])), 1, 'tenant', now);
    expect(w.firstError).toBe(`timestamp too new: ${now + 3_600_000} is more than 600000 ms in the future (-validation.create-grace-period) for series "known{}"`);
  });

  it('gives a series the same id every time, and its key only the first time', () => {
    const q = new WritePreparer({ limits: { ...limits, rejectOldSamples: false }, shardByAllLabels: false, maxMessageSize: 1 << 20 });
    const first = q.prepare(snappyEncode(encodeWriteRequestV1([S('a', [1000]), S('b', [1000])])), 1, 't', now);
    const again = q.prepare(snappyEncode(encodeWriteRequestV1([S('b', [2000]), S('c', [2000])])), 1, 't', now);
    expect(first.newKeys).toHaveLength(2);
    expect(again.ids[0]).toBe(first.ids[1]);
    expect(again.newKeys).toHaveLength(1);
    expect(again.ids[1]).toBe(again.firstNewId);
  });

  it('keeps columns untouched when everything is valid', () => {
    const w = p.prepare(snappyEncode(encodeWriteRequestV1([S('a', [1000]), S('b', [2000, 3000])])), 1, 'tenant', now);
    expect([...w.timestamps]).toEqual([1000, 2000, 3000]);
    expect(w.firstError).toBeUndefined();
  });
});
