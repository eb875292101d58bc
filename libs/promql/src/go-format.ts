/**
 * Go's formatting of numbers and strings where Prometheus puts them in messages and labels:
 * `%g` (annotations), `strconv.FormatFloat(f, 'f', -1, 64)` (count_values' label) and `%q`.
 * JavaScript's shortest round-trip digits are Go's shortest digits; only the layout differs.
 */

/** The shortest digits of a finite non-zero |v| and its decimal exponent (d.ddd × 10^exp). */
function shortestDigits(v: number): { digits: string; exp: number } {
  const [mantissa, exp] = Math.abs(v).toExponential().split('e');
  return { digits: mantissa.replace('.', ''), exp: Number(exp) };
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/** Go's `%g`: shortest digits, exponent form (two-digit exponent) when exp < -4 or exp >= 6. */
export function formatGoG(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const { digits, exp } = shortestDigits(v);
  if (exp < -4 || exp >= 6) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    return `${v < 0 ? '-' : ''}${mantissa}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return formatGoF(v);
}

/** Go's `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an exponent. */
export function formatGoF(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const { digits, exp } = shortestDigits(v);
  const sign = v < 0 ? '-' : '';
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (exp + 1 >= digits.length) return `${sign}${digits}${'0'.repeat(exp + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };

/**
 * Go's `%q` of a string. A byte that was not valid UTF-8 (the parser keeps it as a lone
 * surrogate U+DC80..U+DCFF, see parser.ts) prints as `\xNN`, as Go prints the raw byte.
 */
export function quoteGo(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (ESCAPES[ch]) out += ESCAPES[ch];
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += `\\x${(cp - 0xdc00).toString(16).padStart(2, '0')}`;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Length of the valid UTF-8 sequence at bytes[i], or 0 (overlong, surrogate, truncated, > U+10FFFF). */
function utf8SequenceLength(bytes: ArrayLike<number>, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * Bytes of a Go string as a JavaScript string. Go strings may hold bytes that are not UTF-8
 * (`"\xc5"`); each such byte becomes the lone surrogate U+DC00 + byte (Python's
 * "surrogateescape"), so it can still be told apart: label-name checks refuse it and quoteGo
 * prints it back as `\xNN`.
 */
export function decodeGoBytes(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = utf8SequenceLength(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]);
      i++;
      continue;
    }
    out += Buffer.from(bytes.subarray(i, i + n)).toString('utf8');
    i += n;
  }
  return out;
}

/** Whether a string is valid UTF-8 as Go sees it (no byte kept by decodeGoBytes). */
export function isValidGoUtf8(s: string): boolean {
  return !/\p{Surrogate}/u.test(s);
}
