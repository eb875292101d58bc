import { loadConfig, type LoadResult } from './load-config';
import { OPTIONS } from './options';
import { configDocument, REDACTED } from './redact';

function load(argv: string[], opts: { env?: Record<string, string>; files?: Record<string, string>; defaults?: object } = {}): LoadResult {
  return loadConfig({
    argv,
    env: opts.env ?? {},
    readFile: (p) => {
      const text = opts.files?.[p];
      if (text === undefined) throw new Error(`ENOENT: no such file or directory, open '${p}'`);
      return text;
    },
    defaults: opts.defaults,
  });
}

function config(result: LoadResult) {
  if (result.kind !== 'config') throw new Error(`expected a config, got ${JSON.stringify(result)}`);
  return result.config;
}

describe('loadConfig', () => {
  it('gives the table defaults with no input', () => {
    const c = config(load([]));
    expect(c['server.http-listen-port']).toBe(9009);
    expect(c['distributor.replication-factor']).toBe(3);
    expect(c['ring.store']).toBe('inmemory');
    expect(c['querier.query-ingesters-within']).toBe(0);
  });

  it('applies a binary\'s default overrides', () => {
    const c = config(load([], { defaults: { 'auth.enabled': false, 'distributor.replication-factor': 1 } }));
    expect(c['auth.enabled']).toBe(false);
    expect(c['distributor.replication-factor']).toBe(1);
  });

  it.each([
    [['-distributor.replication-factor=5'], 5],
    [['--distributor.replication-factor=5'], 5],
    [['-distributor.replication-factor', '5'], 5],
    [['--distributor.replication-factor', '5'], 5],
  ])('reads flag form %j', (argv, rf) => {
    expect(config(load(argv))['distributor.replication-factor']).toBe(rf);
  });

  it('reads durations, enums and lone booleans from flags', () => {
    const c = config(load(['--querier.query-ingesters-within=5h', '--ring.store=redis', '-blocks-storage.s3.insecure']));
    expect(c['querier.query-ingesters-within']).toBe(5 * 3_600_000);
    expect(c['ring.store']).toBe('redis');
    expect(c['blocks-storage.s3.insecure']).toBe(true);
  });

  it('layers defaults < YAML < env < flags', () => {
    const files = {
      'c.yaml': [
        'server:',
        '  http_listen_port: 9100',
        '  http_listen_address: 127.0.0.1',
        'distributor:',
        '  replication_factor: 2',
        'querier:',
        '  query_store_after: 12h',
      ].join('\n'),
    };
    const result = load(['-config.file=c.yaml', '-distributor.replication-factor=4'], {
      files,
      env: { MYELIN_SERVER_HTTP_LISTEN_PORT: '9200', MYELIN_DISTRIBUTOR_REPLICATION_FACTOR: '3' },
    });
    const c = config(result);
    expect(c['server.http-listen-address']).toBe('127.0.0.1');
    expect(c['server.http-listen-port']).toBe(9200);
    expect(c['distributor.replication-factor']).toBe(4);
    expect(c['querier.query-store-after']).toBe(12 * 3_600_000);
    expect(result.kind === 'config' && result.origins).toMatchObject({
      'server.http-listen-address': 'config file',
      'server.http-listen-port': 'env',
      'distributor.replication-factor': 'flag',
      target: 'default',
    });
  });

  it('takes the config file from the environment', () => {
    const c = config(load([], { env: { MYELIN_CONFIG_FILE: 'x.yaml' }, files: { 'x.yaml': 'target: querier\n' } }));
    expect(c.target).toBe('querier');
  });

  it.each([
    [['-distributor.replication-factor=abc'], {}, 'invalid value "abc" for distributor.replication-factor (flag -distributor.replication-factor): must be an integer'],
    [['-distributor.replication-factor=0'], {}, 'invalid value "0" for distributor.replication-factor (flag -distributor.replication-factor): must be between 1 and 15'],
    [['-server.http-listen-port=70000'], {}, 'invalid value "70000" for server.http-listen-port (flag -server.http-listen-port): must be between 0 and 65535'],
    [['-ring.store=consul'], {}, 'invalid value "consul" for ring.store (flag -ring.store): must be one of inmemory, redis'],
    [['-querier.query-ingesters-within=5 hours'], {}, 'invalid value "5 hours" for querier.query-ingesters-within (flag -querier.query-ingesters-within): must be a duration such as 30s, 5m or 1h30m'],
    [['-auth.enabled=yes'], {}, 'invalid value "yes" for auth.enabled (flag -auth.enabled): must be true or false'],
    [['-no.such-flag=1'], {}, 'unknown flag -no.such-flag (see --help)'],
    [['-distributor.replication-factor'], {}, 'flag -distributor.replication-factor needs a value'],
    [['stray'], {}, 'unexpected argument "stray": flags look like -name=value'],
    [[], { MYELIN_LOG_LEVEL: 'loud' }, 'invalid value "loud" for log.level (env MYELIN_LOG_LEVEL): must be one of debug, info, warn, error'],
    [['-blocks-storage.backend=s3'], {}, 'blocks-storage.s3.bucket-name: must be set when blocks-storage.backend=s3'],
  ])('rejects %j %j with the key named', (argv, env, message) => {
    expect(load(argv, { env })).toEqual({ kind: 'error', errors: [message] });
  });

  it.each([
    ['server:\n  http_listen_port: many\n', 'invalid value "many" for server.http-listen-port (config file c.yaml, key server.http_listen_port): must be an integer'],
    ['server:\n  http_listen_prt: 1\n', 'config file c.yaml: unknown key server.http_listen_prt'],
    ['server: 5\n', 'config file c.yaml: unknown key server'],
    ['- a\n- b\n', 'config file c.yaml: must be a YAML map at the top level'],
    ['server: [\n', expect.stringMatching(/^config file c.yaml: /)],
  ])('rejects YAML %j', (yaml, message) => {
    expect(load(['-config.file=c.yaml'], { files: { 'c.yaml': yaml } })).toEqual({ kind: 'error', errors: [message] });
  });

  it('names a missing config file', () => {
    expect(load(['-config.file=missing.yaml'])).toEqual({
      kind: 'error',
      errors: ["config file missing.yaml: ENOENT: no such file or directory, open 'missing.yaml'"],
    });
  });

  it('reports every bad value at once', () => {
    const r = load(['-distributor.replication-factor=x', '-server.http-listen-port=y']);
    expect(r.kind === 'error' && r.errors).toHaveLength(2);
  });

  it.each([['-h'], ['-help'], ['--help']])('%s lists every flag with its default', (flag) => {
    const r = load([flag], { defaults: { 'distributor.replication-factor': 1 } });
    if (r.kind !== 'help') throw new Error('expected help');
    for (const name of Object.keys(OPTIONS)) expect(r.text).toContain(`  -${name} `);
    expect(r.text).toContain('-config.file');
    expect(r.text).toMatch(/-distributor\.replication-factor int\n.*\(default "1"\)/);
    expect(r.text).toMatch(/-querier\.query-ingesters-within duration\n.*\(default "0s"\)/);
  });
});

describe('the option table', () => {
  it('has no flag that is also the parent of another (each YAML key is a value or a map, not both)', () => {
    const paths = Object.keys(OPTIONS).map((f) => f.replace(/-/g, '_'));
    const clashes = paths.filter((p) => paths.some((q) => q.startsWith(p + '.')));
    expect(clashes).toEqual([]);
  });
});

describe('configDocument', () => {
  it('nests keys as YAML, formats durations and redacts secrets', () => {
    const c = config(load(['-blocks-storage.s3.secret-access-key=hunter2', '-querier.query-ingesters-within=90m']));
    const doc = configDocument(c) as any;
    expect(doc.blocks_storage.s3.secret_access_key).toBe(REDACTED);
    expect(doc.ring.redis.password).toBe('');
    expect(doc.querier.query_ingesters_within).toBe('1h30m');
    expect(doc.server.http_listen_port).toBe(9009);
    expect(JSON.stringify(doc)).not.toContain('hunter2');
  });

  it('round-trips: the document read back as a config file gives the same config', () => {
    const c = config(load(['-querier.query-store-after=2h', '-ring.store=redis', '-distributor.replication-factor=2']));
    const { stringify } = jest.requireActual('yaml');
    const again = config(load(['-config.file=c.yaml'], { files: { 'c.yaml': stringify(configDocument(c)) } }));
    expect(again).toEqual(c);
  });
});
