import { FNV32_OFFSET, fnv1Add32, shardByAllLabels, shardByMetricName } from './hash';

/** An independent FNV-1 over BigInt, to check the Math.imul version against. */
function referenceFnv1(parts: string[]): number {
  let h = 2166136261n;
  for (const part of parts) {
    for (const byte of Buffer.from(part, 'utf8')) h = ((h * 16777619n) & 0xffffffffn) ^ BigInt(byte);
  }
  return Number(h);
}

describe('FNV-1 32', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['foobar', 0x31f0b262],
  ])('hashes %j to the published test vector', (s, expected) => {
    expect(fnv1Add32(FNV32_OFFSET, s)).toBe(expected);
  });

  it.each(['up', 'node_cpu_seconds_total', 'température', '日本語', 'a\u0000b', '🙂'])('matches the reference on %j', (s) => {
    expect(fnv1Add32(FNV32_OFFSET, s)).toBe(referenceFnv1([s]));
  });

  it('shards by tenant then metric name', () => {
    expect(shardByMetricName('tenant-1', 'up')).toBe(referenceFnv1(['tenant-1', 'up']));
    expect(shardByMetricName('tenant-1', 'up')).not.toBe(shardByMetricName('tenant-2', 'up'));
  });

  it('shards by tenant then every label name and value', () => {
    const labels = [
      { name: '__name__', value: 'up' },
      { name: 'job', value: 'node' },
    ];
    expect(shardByAllLabels('t', labels)).toBe(referenceFnv1(['t', '__name__', 'up', 'job', 'node']));
  });

  it('always gives an unsigned 32-bit integer', () => {
    for (let i = 0; i < 1000; i++) {
      const h = shardByMetricName(`t${i}`, `m${i * 7}`);
      expect(Number.isInteger(h) && h >= 0 && h <= 0xffffffff).toBe(true);
    }
  });
});
