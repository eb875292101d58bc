/**
 * Durations as Cortex and Prometheus flags write them: one or more `<number><unit>` terms,
 * e.g. `5h`, `1h30m`, `500ms`, `1.5s`, `2d`. Units: ns, us (or µs), ms, s, m, h, d, w, y
 * (d, w and y as Prometheus's model.Duration reads them: 24h, 7d, 365d). A bare `0` is zero.
 * Values are carried as milliseconds.
 */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

const TERM = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)/y;

/** Parses a duration into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '0') return 0;
  if (s.length === 0) return undefined;
  let total = 0;
  TERM.lastIndex = 0;
  while (TERM.lastIndex < s.length) {
    const at = TERM.lastIndex;
    const m = TERM.exec(s);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_MS[m[2]];
  }
  return total;
}

const FORMAT_UNITS: Array<[string, number]> = [
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** Formats milliseconds the way Go prints a time.Duration, without zero terms: `1h30m`, `500ms`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out || `${ms}ms`;
}
