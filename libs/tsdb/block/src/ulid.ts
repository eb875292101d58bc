const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32 (26 characters). */
export function newUlid(nowMs: number, random: () => number = Math.random): string {
  let out = '';
  let t = nowMs;
  const time: string[] = [];
  for (let i = 0; i < 10; i++) {
    time.unshift(CROCKFORD[t % 32]);
    t = Math.floor(t / 32);
  }
  out = time.join('');
  for (let i = 0; i < 16; i++) out += CROCKFORD[Math.floor(random() * 32)];
  return out;
}

/** The time part of a ULID, in milliseconds. */
export function ulidTime(ulid: string): number {
  let t = 0;
  for (let i = 0; i < 10; i++) {
    const v = CROCKFORD.indexOf(ulid[i]);
    if (v < 0) throw new Error(`not a ULID: ${ulid}`);
    t = t * 32 + v;
  }
  return t;
}

export function isUlid(s: string): boolean {
  return /^[0-9A-HJKMNP-TV-Z]{26}$/.test(s);
}
