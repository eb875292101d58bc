/**
 * Natural order as Prometheus's sort_by_label uses it (facette.io/natsort): strings split into
 * runs of digits and non-digits; runs that are both integers compare by value, others as
 * strings; a string that runs out of chunks first while equal so far sorts first.
 */
const CHUNKS = /\d+|\D+/g;
const MAX_INT64 = (1n << 63n) - 1n;

function asInt(chunk: string): bigint | undefined {
  if (!/^\d+$/.test(chunk)) return undefined;
  const v = BigInt(chunk);
  return v <= MAX_INT64 ? v : undefined;
}

/** Whether a sorts before b in natural order (natsort.Compare). */
export function naturalLess(a: string, b: string): boolean {
  const ca = a.match(CHUNKS) ?? [];
  const cb = b.match(CHUNKS) ?? [];
  for (let i = 0; i < ca.length; i++) {
    if (i >= cb.length) return false;
    const [x, y] = [asInt(ca[i]), asInt(cb[i])];
    const equal = x !== undefined && y !== undefined ? x === y : ca[i] === cb[i];
    if (!equal) return x !== undefined && y !== undefined ? x < y : ca[i] < cb[i];
    if (i === ca.length - 1) return true;
    if (i === cb.length - 1) return false;
  }
  return false;
}
