import { parse as parseYaml } from 'yaml';
import { type MyelinConfig, OPTIONS } from './options';

/**
 * Per-tenant limits (Cortex's runtime configuration, `-runtime-config.file`): each key overrides,
 * for one tenant, the flag named beside it, which stays the default for every other tenant.
 * The file is read at start-up (a bad one stops the process, naming the key) and again every
 * `-runtime-config.reload-period` (a bad one is then logged and the previous overrides kept).
 */
export const TENANT_LIMIT_FLAGS = {
  ingestion_rate: 'distributor.ingestion-rate-limit',
  ingestion_burst_size: 'distributor.ingestion-burst-size',
  query_timeout: 'querier.timeout',
  max_samples_per_query: 'querier.max-samples',
  max_fetched_series_per_query: 'querier.max-fetched-series-per-query',
} as const;

export type TenantLimitKey = keyof typeof TENANT_LIMIT_FLAGS;
export type TenantLimits = { readonly [K in TenantLimitKey]: number };
export type Overrides = ReadonlyMap<string, Partial<TenantLimits>>;

/** The overrides of a runtime configuration file, or every problem found, each naming its key. */
export function parseRuntimeConfig(text: string, file: string): { overrides: Overrides } | { errors: string[] } {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return { errors: [`${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`] };
  }
  if (doc === null || doc === undefined) return { overrides: new Map() };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { errors: [`${file}: must be a mapping with an "overrides" key`] };
  const errors: string[] = [];
  for (const key of Object.keys(doc)) if (key !== 'overrides') errors.push(`${file}: ${key}: unknown key (expected "overrides")`);
  const raw = (doc as { overrides?: unknown }).overrides ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { errors: [...errors, `${file}: overrides: must map tenant IDs to limits`] };
  const overrides = new Map<string, Partial<TenantLimits>>();
  for (const [tenant, limits] of Object.entries(raw)) {
    if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) {
      errors.push(`${file}: overrides.${tenant}: must map limit names to values`);
      continue;
    }
    const parsed: Partial<Record<TenantLimitKey, number>> = {};
    for (const [key, value] of Object.entries(limits)) {
      const flag = TENANT_LIMIT_FLAGS[key as TenantLimitKey];
      if (!flag) {
        errors.push(`${file}: overrides.${tenant}.${key}: unknown limit (known: ${Object.keys(TENANT_LIMIT_FLAGS).join(', ')})`);
        continue;
      }
      const result = OPTIONS[flag].parse(typeof value === 'number' && OPTIONS[flag].kind === 'duration' ? `${value}s` : value);
      if (result.ok) parsed[key as TenantLimitKey] = result.value as number;
      else errors.push(`${file}: overrides.${tenant}.${key}: ${result.reason}`);
    }
    overrides.set(tenant, parsed);
  }
  return errors.length > 0 ? { errors } : { overrides };
}

/** The limits of every tenant: the flags' values, overridden per tenant by the runtime configuration. */
export class TenantLimitsProvider {
  private overrides: Overrides = new Map();

  constructor(private readonly config: MyelinConfig) {}

  set(overrides: Overrides): void {
    this.overrides = overrides;
  }

  limits(tenant: string): TenantLimits {
    const own = this.overrides.get(tenant) ?? {};
    const out = {} as Record<TenantLimitKey, number>;
    for (const [key, flag] of Object.entries(TENANT_LIMIT_FLAGS) as Array<[TenantLimitKey, (typeof TENANT_LIMIT_FLAGS)[TenantLimitKey]]>) out[key] = own[key] ?? (this.config[flag] as number);
    return out;
  }

  /** For GET /runtime_config: the overrides in force. */
  describe(): Record<string, Partial<TenantLimits>> {
    return Object.fromEntries(this.overrides);
  }
}
