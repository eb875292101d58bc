import type { Labels } from './labels';

/**
 * xxHash64 (seed 0) and Prometheus's `labels.Hash()` built on it: every label as name, 0xff,
 * value, 0xff. PromQL's limit_ratio picks series by this hash, so Myelin picks the same ones as
 * Prometheus. BigInt arithmetic: called once per series and query, not per sample.
 */
const MASK = (1n << 64n) - 1n;
const P1 = 11400714785074694791n;
const P2 = 14029467366897019727n;
const P3 = 1609587929392839161n;
const P4 = 9650029242287828579n;
const P5 = 2870177450012600261n;

const rotl = (x: bigint, r: bigint) => ((x << r) | (x >> (64n - r))) & MASK;
const mul = (a: bigint, b: bigint) => (a * b) & MASK;

function round(acc: bigint, lane: bigint): bigint {
  return mul(rotl((acc + mul(lane, P2)) & MASK, 31n), P1);
}

function mergeRound(acc: bigint, v: bigint): bigint {
  return ((mul(acc ^ round(0n, v), P1)) + P4) & MASK;
}

export function xxhash64(data: Uint8Array): bigint {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u64 = (i: number) => view.getBigUint64(i, true);
  const len = data.length;
  let i = 0;
  let h: bigint;
  if (len >= 32) {
    let v1 = (P1 + P2) & MASK;
    let v2 = P2;
    let v3 = 0n;
    let v4 = (0n - P1) & MASK;
    for (; i + 32 <= len; i += 32) {
      v1 = round(v1, u64(i));
      v2 = round(v2, u64(i + 8));
      v3 = round(v3, u64(i + 16));
      v4 = round(v4, u64(i + 24));
    }
    h = (rotl(v1, 1n) + rotl(v2, 7n) + rotl(v3, 12n) + rotl(v4, 18n)) & MASK;
    h = mergeRound(mergeRound(mergeRound(mergeRound(h, v1), v2), v3), v4);
  } else h = P5;
  h = (h + BigInt(len)) & MASK;
  for (; i + 8 <= len; i += 8) h = (mul(rotl(h ^ round(0n, u64(i)), 27n), P1) + P4) & MASK;
  if (i + 4 <= len) {
    h = (mul(rotl(h ^ mul(BigInt(view.getUint32(i, true)), P1), 23n), P2) + P3) & MASK;
    i += 4;
  }
  for (; i < len; i++) h = mul(rotl(h ^ mul(BigInt(data[i]), P5), 11n), P1);
  h = mul(h ^ (h >> 33n), P2);
  h = mul(h ^ (h >> 29n), P3);
  return h ^ (h >> 32n);
}

const SEP = 0xff;

/** Prometheus's labels.Hash(): xxHash64 of name 0xff value 0xff for every label, in order. */
export function labelsHash(labels: Labels): bigint {
  const parts: Buffer[] = [];
  const sep = Buffer.of(SEP);
  for (const l of labels) parts.push(Buffer.from(l.name, 'utf8'), sep, Buffer.from(l.value, 'utf8'), sep);
  return xxhash64(Buffer.concat(parts));
}
