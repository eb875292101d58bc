import { formatDuration, parseDuration } from './duration';

/**
 * One configuration option. Its flag name is the key it is registered under
 * (`distributor.replication-factor`); the YAML key and the environment variable are derived
 * from the flag name by fixed rules (see yamlPathOf and envNameOf), so the three never drift.
 */
export interface Option<T> {
  readonly kind: 'string' | 'int' | 'bool' | 'duration' | 'enum';
  readonly default: T;
  readonly help: string;
  /** Redacted in /config and logs. */
  readonly secret?: boolean;
  /** Turns a raw value (a flag or env string, or a YAML scalar) into T, or says why it cannot. */
  parse(raw: unknown): { ok: true; value: T } | { ok: false; reason: string };
  format(value: T): string;
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

export function stringOption(help: string, dflt = '', extra: { secret?: boolean } = {}): Option<string> {
  return {
    kind: 'string',
    default: dflt,
    help,
    secret: extra.secret,
    parse: (raw) =>
      typeof raw === 'string' || typeof raw === 'number' ? ok(String(raw)) : fail('must be a string'),
    format: (v) => v,
  };
}

export function intOption(help: string, dflt: number, range: { min?: number; max?: number } = {}): Option<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  return {
    kind: 'int',
    default: dflt,
    help,
    parse: (raw) => {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n)) return fail('must be an integer');
      if (n < min || n > max) return fail(`must be between ${min} and ${max}`);
      return ok(n);
    },
    format: (v) => String(v),
  };
}

export function boolOption(help: string, dflt: boolean): Option<boolean> {
  return {
    kind: 'bool',
    default: dflt,
    help,
    parse: (raw) => {
      if (typeof raw === 'boolean') return ok(raw);
      if (raw === 'true' || raw === '1') return ok(true);
      if (raw === 'false' || raw === '0') return ok(false);
      return fail('must be true or false');
    },
    format: (v) => String(v),
  };
}

/** A duration in milliseconds, written like `5h`, `1m30s`, `500ms`. */
export function durationOption(help: string, dflt: string, range: { min?: number } = {}): Option<number> {
  const min = range.min ?? 0;
  const parsedDefault = parseDuration(dflt);
  if (parsedDefault === undefined) throw new Error(`bad default duration ${dflt}`);
  return {
    kind: 'duration',
    default: parsedDefault,
    help,
    parse: (raw) => {
      const ms = typeof raw === 'string' ? parseDuration(raw) : undefined;
      if (ms === undefined) return fail('must be a duration such as 30s, 5m or 1h30m');
      if (ms < min) return fail(`must be at least ${formatDuration(min)}`);
      return ok(ms);
    },
    format: formatDuration,
  };
}

export function enumOption<const V extends string>(help: string, values: readonly V[], dflt: V): Option<V> {
  return {
    kind: 'enum',
    default: dflt,
    help,
    parse: (raw) =>
      typeof raw === 'string' && (values as readonly string[]).includes(raw)
        ? ok(raw as V)
        : fail(`must be one of ${values.join(', ')}`),
    format: (v) => v,
  };
}

/** `distributor.replication-factor` -> `distributor.replication_factor` (a dotted YAML path). */
export function yamlPathOf(flag: string): string {
  return flag.replace(/-/g, '_');
}

/** `distributor.replication-factor` -> `MYELIN_DISTRIBUTOR_REPLICATION_FACTOR`. */
export function envNameOf(flag: string): string {
  return 'MYELIN_' + flag.replace(/[.-]/g, '_').toUpperCase();
}
