import { crc32c } from './crc32c';

describe('crc32c', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xc1d04330],
    ['123456789', 0xe3069283],
    ['The quick brown fox jumps over the lazy dog', 0x22620404],
  ])('%j -> the published CRC-32C', (s, expected) => {
    expect(crc32c(Buffer.from(s))).toBe(expected);
  });

  it('gives the same result in pieces as in one go, at any alignment', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) % 256));
    const whole = crc32c(data);
    for (const cut of [1, 7, 8, 9, 500, 999]) expect(crc32c(data, crc32c(data, 0, 0, cut), cut)).toBe(whole);
  });
});
