import { loadConfig } from './load-config';
import type { MyelinConfig } from './options';
import { parseRuntimeConfig, TenantLimitsProvider } from './runtime-config';

function config(argv: string[] = []): MyelinConfig {
  const loaded = loadConfig({ argv, env: {}, readFile: () => '', defaults: {}, program: 'test' });
  if (loaded.kind !== 'config') throw new Error('bad test config');
  return loaded.config;
}

describe('parseRuntimeConfig', () => {
  it('reads per-tenant overrides with the flags\' value syntax', () => {
    const text = ['overrides:', '  team-a:', '    max_fetched_series_per_query: 1000', '    query_timeout: 30s', '  team-b:', '    ingestion_rate: 500', ''].join('\n');
    const parsed = parseRuntimeConfig(text, 'limits.yaml');
    expect('overrides' in parsed && Object.fromEntries(parsed.overrides)).toEqual({ 'team-a': { max_fetched_series_per_query: 1000, query_timeout: 30_000 }, 'team-b': { ingestion_rate: 500 } });
  });

  it.each<[string, string, string[]]>([
    ['an unknown limit', 'overrides:\n  a:\n    max_series: 1\n', ['limits.yaml: overrides.a.max_series: unknown limit (known: ingestion_rate, ingestion_burst_size, query_timeout, max_samples_per_query, max_fetched_series_per_query)']],
    ['a bad value', 'overrides:\n  a:\n    query_timeout: soon\n', ['limits.yaml: overrides.a.query_timeout: must be a duration such as 30s, 5m or 1h30m']],
    ['a negative count', 'overrides:\n  a:\n    max_samples_per_query: -1\n', ['limits.yaml: overrides.a.max_samples_per_query: must be between 0 and 9007199254740991']],
    ['an unknown top-level key', 'limits: {}\n', ['limits.yaml: limits: unknown key (expected "overrides")']],
    ['a tenant that is not a mapping', 'overrides:\n  a: 5\n', ['limits.yaml: overrides.a: must map limit names to values']],
    ['not YAML', 'overrides: [\n', ['limits.yaml: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1:']],
  ])('refuses %s, naming the key', (_, text, errors) => {
    expect(parseRuntimeConfig(text, 'limits.yaml')).toEqual({ errors });
  });

  it('takes an empty file as no overrides', () => {
    expect(parseRuntimeConfig('', 'f')).toEqual({ overrides: new Map() });
  });
});

describe('TenantLimitsProvider', () => {
  it('gives every tenant the flags\' values, and overridden tenants their own', () => {
    const provider = new TenantLimitsProvider(config(['-querier.max-fetched-series-per-query=50', '-distributor.ingestion-rate-limit=100']));
    provider.set(new Map([['team-a', { max_fetched_series_per_query: 5 }]]));
    expect(provider.limits('team-a')).toMatchObject({ max_fetched_series_per_query: 5, ingestion_rate: 100 });
    expect(provider.limits('team-b')).toMatchObject({ max_fetched_series_per_query: 50, ingestion_rate: 100, query_timeout: 120_000 });
  });
});
