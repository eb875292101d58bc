import { generateTokens } from './tokens';

/** Cycles through the given values. */
function sequence(values: number[]) {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('generateTokens', () => {
  it('gives the requested number of distinct sorted uint32 tokens', () => {
    const tokens = generateTokens(128, new Set());
    expect(tokens).toHaveLength(128);
    expect(new Set(tokens).size).toBe(128);
    expect([...tokens].sort((a, b) => a - b)).toEqual(tokens);
    for (const t of tokens) expect(t >= 0 && t <= 0xffffffff && Number.isInteger(t)).toBe(true);
  });

  it('skips tokens already taken and its own duplicates', () => {
    expect(generateTokens(3, new Set([5, 7]), sequence([5, 9, 9, 7, 1, 3]))).toEqual([1, 3, 9]);
  });

  it('fails instead of looping forever when no free token can be found', () => {
    expect(() => generateTokens(2, new Set([1]), sequence([1]))).toThrow('could not find 2 free tokens');
  });

  it('refuses a bad count', () => {
    expect(() => generateTokens(-1, new Set())).toThrow('token count must be a non-negative integer, got -1');
  });
});
