import { decodeGoBytes, formatGoF, formatGoG, isValidGoUtf8, quoteGo } from './go-format';

describe('formatGoG (Go %g)', () => {
  it.each([
    [1.1, '1.1'],
    [-1.1, '-1.1'],
    [1, '1'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [0, '0'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567, '1.234567e+06'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [-2.5e-7, '-2.5e-07'],
    [1e100, '1e+100'],
  ])('%d -> %s', (v, want) => expect(formatGoG(v)).toBe(want));
});

describe("formatGoF (strconv 'f', -1)", () => {
  it.each([
    [6, '6'],
    [0.5, '0.5'],
    [-12.25, '-12.25'],
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [123.456, '123.456'],
    [NaN, 'NaN'],
    [-Infinity, '-Inf'],
  ])('%d -> %s', (v, want) => expect(formatGoF(v)).toBe(want));
});

describe('quoteGo (Go %q)', () => {
  it.each([
    ['abc', '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['tab\there', '"tab\\there"'],
    ['a\uDCC5z', '"a\\xc5z"'],
    ['é', '"é"'],
  ])('%s -> %s', (s, want) => expect(quoteGo(s)).toBe(want));
});

describe('decodeGoBytes', () => {
  it.each([
    [[0x61, 0x62], 'ab', true],
    [[0xc3, 0xa9], 'é', true],
    [[0x61, 0xc5, 0x7a], 'a\uDCC5z', false],
    [[0xed, 0xa0, 0x80], '\uDCED\uDCA0\uDC80', false],
    [[0xf0, 0x9f, 0x98, 0x80], '😀', true],
    [[0xf0, 0x9f, 0x98], '\uDCF0\uDC9F\uDC98', false],
  ])('%j -> %j', (bytes, want, valid) => {
    const s = decodeGoBytes(Uint8Array.from(bytes));
    expect(s).toBe(want);
    expect(isValidGoUtf8(s)).toBe(valid);
  });
});
