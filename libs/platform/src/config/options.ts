import {
  boolOption,
  durationOption,
  enumOption,
  intOption,
  type Option,
  stringOption,
} from './option';

export const TARGETS = ['all', 'distributor', 'ingester', 'querier', 'compactor'] as const;
export type Target = (typeof TARGETS)[number];

/**
 * Every option Myelin knows, keyed by its flag name (Cortex style). A flag `a.b-c` is the YAML key
 * `a: { b_c: ... }` and the environment variable `MYELIN_A_B_C`. The order here is the order of
 * `--help`.
 */
export const OPTIONS = {
  target: enumOption(
    'Which service this process runs: one of the four, or all of them in one process.',
    TARGETS,
    'all',
  ),
  'auth.enabled': boolOption(
    'Require the X-Scope-OrgID header (multi-tenancy). When false every request is tenant "fake".',
    true,
  ),
  'server.http-listen-address': stringOption('HTTP server listen address.', '0.0.0.0'),
  'server.http-listen-port': intOption('HTTP server listen port.', 9009, { min: 0, max: 65535 }),
  'server.grpc-listen-address': stringOption('Listen address of the binary RPC server (ingester push and query).', '0.0.0.0'),
  'server.grpc-listen-port': intOption('Listen port of the binary RPC server (Cortex\'s gRPC port).', 9095, { min: 0, max: 65535 }),
  'server.graceful-shutdown-timeout': durationOption(
    'Time allowed for in-flight work to finish on SIGTERM before the process exits anyway.',
    '30s',
  ),
  'runtime-config.file': stringOption('YAML file of per-tenant limit overrides ("overrides: {<tenant>: {<limit>: <value>}}"); empty for none.', ''),
  'runtime-config.reload-period': durationOption('How often the runtime configuration file is read again.', '10s', { min: 100 }),
  'log.level': enumOption('Only log messages at or above this level.', ['debug', 'info', 'warn', 'error'], 'info'),
  'distributor.max-recv-msg-size': intOption(
    'Largest remote-write request body accepted, in bytes (after decompression the limit applies again).',
    100 << 20,
    { min: 1024 },
  ),
  'distributor.replication-factor': intOption(
    'How many ingesters each series is written to; a write needs floor(RF/2)+1 acknowledgements.',
    3,
    { min: 1, max: 15 },
  ),
  'distributor.remote-timeout': durationOption('Timeout of a push from the distributor to one ingester.', '2s', { min: 1 }),
  'distributor.decode-workers': intOption(
    'Worker threads that decode and validate remote-write bodies off the main event loop (0: decode on it).',
    1,
    { min: 0, max: 16 },
  ),
  'distributor.shard-by-all-labels': boolOption('Spread series over the ring by all their labels, not only the metric name.', false),
  'distributor.ingestion-rate-limit': intOption('Per-tenant ingestion rate in samples per second (0: no limit).', 25_000, { min: 0 }),
  'distributor.ingestion-burst-size': intOption('Per-tenant burst of samples allowed above the rate.', 50_000, { min: 0 }),
  'ingester.client.connections-per-ingester': intOption('RPC connections a distributor or querier keeps to each ingester.', 2, { min: 1, max: 64 }),
  'ingester.max-series-per-user': intOption('Most active series per tenant in one ingester (0: no limit).', 5_000_000, { min: 0 }),
  'ingester.max-global-series-per-user': intOption(
    'Most active series per tenant across the cluster, split over the ACTIVE ingesters (0: no limit).',
    0,
    { min: 0 },
  ),
  'validation.max-label-names-per-series': intOption('Most labels a series may have.', 30, { min: 1 }),
  'validation.max-length-label-name': intOption('Longest label name accepted, in characters.', 1024, { min: 1 }),
  'validation.max-length-label-value': intOption('Longest label value accepted, in characters.', 2048, { min: 1 }),
  'validation.reject-old-samples': boolOption('Refuse samples older than validation.reject-old-samples-max-age.', false),
  'validation.reject-old-samples-max-age': durationOption('Age beyond which samples are refused when rejecting old samples.', '2w'),
  'validation.create-grace-period': durationOption('How far in the future a sample\'s timestamp may be.', '10m'),
  'ring.store': enumOption('Where the hash ring is kept: inmemory (one process only) or redis.', ['inmemory', 'redis'], 'inmemory'),
  'ring.redis.address': stringOption('Redis host:port holding the ring (ring.store=redis).', 'localhost:6379'),
  'ring.redis.password': stringOption('Redis password.', '', { secret: true }),
  'ring.prefix': stringOption('Prefix of the ring keys in the KV store (Cortex: collectors/).', 'collectors/'),
  'ring.redis.resync-period': durationOption(
    'Ring watchers re-read the ring this often even without a change notification.',
    '10s',
    { min: 100 },
  ),
  'ring.heartbeat-period': durationOption('How often an instance heartbeats into the ring.', '5s', { min: 10 }),
  'ring.heartbeat-timeout': durationOption(
    'An instance whose last heartbeat is older than this is unhealthy (0: never).',
    '1m',
  ),
  'ring.num-tokens': intOption('Tokens each instance owns in the ring.', 128, { min: 1, max: 4096 }),
  'ring.instance-id': stringOption('This instance\'s ID in the ring; empty means the host name.', ''),
  'ring.instance-addr': stringOption('Host other services use to reach this instance; empty means the host name.', ''),
  'ring.instance-port': intOption('Port advertised in the ring; 0 means server.grpc-listen-port.', 0, { min: 0, max: 65535 }),
  'ring.instance-zone': stringOption('Availability zone of this instance (zone-aware replication).', ''),
  'ring.zone-awareness-enabled': boolOption('Place the replicas of a series in different zones.', false),
  'ring.tokens-file-path': stringOption(
    'File keeping this instance\'s tokens and READONLY state across restarts; empty means <blocks-storage.tsdb.dir>/ring-tokens.json.',
    '',
  ),
  'querier.query-ingesters-within': durationOption(
    'Ask ingesters only for data newer than this (0: always ask them).',
    '0',
  ),
  'querier.query-store-after': durationOption(
    'Ask object storage only for data older than this (0: always ask it).',
    '0',
  ),
  'querier.minimize-ingester-requests': boolOption(
    'Ask only as many ingesters as a complete answer needs (all but floor(RF/2), or all but that many zones), the others only when one fails (as Mimir).',
    true,
  ),
  'querier.timeout': durationOption('Longest a query may evaluate before it fails with a timeout (0: no limit).', '2m'),
  'querier.max-samples': intOption('Most samples one query may load into memory; beyond it the query fails (0: no limit).', 50_000_000, { min: 0 }),
  'querier.max-fetched-series-per-query': intOption('Most distinct series one query may fetch; beyond it the query fails (0: no limit).', 0, { min: 0 }),
  'blocks-storage.backend': enumOption('Object storage for blocks.', ['filesystem', 's3'], 'filesystem'),
  'blocks-storage.filesystem.dir': stringOption('Directory used as the bucket by the filesystem backend.', './data/blocks'),
  'blocks-storage.s3.endpoint': stringOption('S3 endpoint host[:port]; empty means AWS.', ''),
  'blocks-storage.s3.bucket-name': stringOption('S3 bucket holding the blocks.', ''),
  'blocks-storage.s3.region': stringOption('S3 region.', 'us-east-1'),
  'blocks-storage.s3.access-key-id': stringOption('S3 access key ID; empty means the AWS credential chain.', ''),
  'blocks-storage.s3.secret-access-key': stringOption('S3 secret access key.', '', { secret: true }),
  'blocks-storage.s3.insecure': boolOption('Use http instead of https for the S3 endpoint.', false),
  'blocks-storage.s3.bucket-lookup-type': enumOption(
    'S3 addressing: path style (bucket in the path), virtual-hosted, or auto.',
    ['auto', 'virtual-hosted', 'path'],
    'auto',
  ),
  'blocks-storage.bucket-store.sync-interval': durationOption(
    'How old a querier\'s view of a tenant\'s blocks in object storage may get before it lists them again.',
    '15m',
  ),
  'blocks-storage.bucket-store.ignore-deletion-marks-delay': durationOption(
    'Blocks marked for deletion are still read for this long after the mark, then ignored.',
    '6h',
  ),
  'blocks-storage.bucket-store.max-open-blocks': intOption(
    'Blocks whose index header a querier keeps in memory; the least recently used beyond this are closed.',
    1000,
    { min: 1 },
  ),
  'blocks-storage.bucket-store.index-cache.inmemory.max-size-bytes': intOption(
    'Bytes of parsed index series entries a querier keeps in memory across queries (0: none). Postings lists are cached per open block.',
    1 << 30,
    { min: 0 },
  ),
  'blocks-storage.bucket-store.chunks-cache.backend': enumOption('Cache of chunks read from object storage: "inmemory", or empty for none (as Cortex, off by default).', ['', 'inmemory'], ''),
  'blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes': intOption('Bytes of chunks the in-memory chunks cache keeps.', 1 << 30, { min: 0 }),
  'compactor.compaction-interval': durationOption('How often the compactor merges overlapping blocks (the replicas ingesters shipped) in object storage (0: never).', '1h'),
  'compactor.data-dir': stringOption('Local directory where the compactor writes merged blocks before uploading them.', './data/compactor'),
  'blocks-storage.tsdb.dir': stringOption('Local directory for the ingester\'s WAL, head and blocks.', './data/tsdb'),
  'blocks-storage.s3.max-retries': intOption('Attempts per S3 request, with exponential backoff between them.', 3, { min: 1, max: 20 }),
  'blocks-storage.tsdb.block-ranges-period': durationOption('Time range of the blocks an ingester cuts from its head (aligned to it).', '2h', { min: 1000 }),
  'blocks-storage.tsdb.head-compaction-interval': durationOption('How often an ingester checks whether a block is due.', '1m', { min: 10 }),
  'blocks-storage.tsdb.head-compaction-idle-timeout': durationOption('Cut the whole head of a tenant that received nothing for this long (0: never).', '1h'),
  'blocks-storage.tsdb.ship-interval': durationOption('How often new local blocks are uploaded to object storage (0: never).', '1m'),
  'blocks-storage.tsdb.retention-period': durationOption('Local blocks are deleted once older than this and shipped.', '6h'),
  'blocks-storage.tsdb.wal-segment-size-bytes': intOption('Size at which the WAL starts a new segment file.', 128 << 20, { min: 64 << 10 }),
  'blocks-storage.tsdb.wal-fsync': boolOption(
    'fdatasync the WAL before acknowledging a push (group commit). When false, pushes are acknowledged once written to the OS: safe against a process crash, not a machine crash.',
    true,
  ),
} satisfies Record<string, Option<unknown>>;

export type OptionName = keyof typeof OPTIONS;
type ValueOf<O> = O extends Option<infer T> ? T : never;

/** The effective configuration: one typed value per flag name. */
export type MyelinConfig = { readonly [K in OptionName]: ValueOf<(typeof OPTIONS)[K]> };

/** Overrides of the table's defaults that a binary ships with (the single-process app's embedded defaults). */
export type DefaultOverrides = Partial<{ [K in OptionName]: ValueOf<(typeof OPTIONS)[K]> }>;

/** Rules across options, checked after every value parsed; each returns the message or undefined. */
export const CROSS_CHECKS: Array<(c: MyelinConfig) => string | undefined> = [
  (c) =>
    c['blocks-storage.backend'] === 's3' && c['blocks-storage.s3.bucket-name'] === ''
      ? 'blocks-storage.s3.bucket-name: must be set when blocks-storage.backend=s3'
      : undefined,
  (c) =>
    c['ring.store'] === 'redis' && c['ring.redis.address'] === ''
      ? 'ring.redis.address: must be set when ring.store=redis'
      : undefined,
];
