/** A source of random uint32 values; injected so tests are repeatable. */
export type RandomUint32 = () => number;

export const mathRandomUint32: RandomUint32 = () => Math.floor(Math.random() * 0x1_0000_0000) >>> 0;

/**
 * `count` distinct random tokens, none of them in `taken` (the tokens other instances own), sorted
 * ascending. Collisions would make two instances own the same point of the ring.
 */
export function generateTokens(count: number, taken: ReadonlySet<number>, random: RandomUint32 = mathRandomUint32): number[] {
  if (count < 0 || !Number.isInteger(count)) throw new Error(`token count must be a non-negative integer, got ${count}`);
  const mine = new Set<number>();
  let attempts = 0;
  while (mine.size < count) {
    if (++attempts > count * 1000) throw new Error(`could not find ${count} free tokens`);
    const t = random() >>> 0;
    if (!taken.has(t)) mine.add(t);
  }
  return [...mine].sort((a, b) => a - b);
}
