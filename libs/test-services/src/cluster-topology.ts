import type { MyelinBinary } from './myelin-process';

/** One Myelin process of the local cluster. */
export interface ServiceSpec {
  name: string;
  binary: Exclude<MyelinBinary, 'myelin'>;
  port: number;
  rpcPort: number;
  args: string[];
}

export interface TopologyInput {
  /** HTTP ports in the order distributor, ingester-1..3, querier, compactor. */
  ports: number[];
  /** Binary RPC ports, same order. */
  rpcPorts: number[];
  redisAddress: string;
  s3Endpoint: string;
  s3Bucket: string;
  s3AccessKeyId: string;
  s3SecretAccessKey: string;
  dataDir: string;
}

export const INGESTER_COUNT = 3;

/**
 * The cluster of docker-compose.yml as local processes: one distributor, three ingesters with
 * stable IDs and their own data directories, one querier, one compactor, all sharing the ring in
 * Redis and the bucket in S3. docker-compose.yml's services carry the same flags (a test checks).
 */
export function clusterTopology(input: TopologyInput): ServiceSpec[] {
  const common = [
    '-auth.enabled=true',
    '-server.http-listen-address=127.0.0.1',
    '-server.grpc-listen-address=127.0.0.1',
    '-ring.store=redis',
    `-ring.redis.address=${input.redisAddress}`,
    '-distributor.replication-factor=3',
    '-blocks-storage.backend=s3',
    `-blocks-storage.s3.endpoint=${input.s3Endpoint}`,
    `-blocks-storage.s3.bucket-name=${input.s3Bucket}`,
    `-blocks-storage.s3.access-key-id=${input.s3AccessKeyId}`,
    `-blocks-storage.s3.secret-access-key=${input.s3SecretAccessKey}`,
    '-blocks-storage.s3.insecure=true',
    '-blocks-storage.s3.bucket-lookup-type=path',
  ];
  if (input.ports.length !== 3 + INGESTER_COUNT) throw new Error(`need ${3 + INGESTER_COUNT} ports, got ${input.ports.length}`);
  if (input.rpcPorts.length !== input.ports.length) throw new Error(`need ${input.ports.length} RPC ports, got ${input.rpcPorts.length}`);
  const spec = (name: string, binary: Exclude<MyelinBinary, 'myelin'>, at: number, extra: string[] = []): ServiceSpec => ({
    name,
    binary,
    port: input.ports[at],
    rpcPort: input.rpcPorts[at],
    args: [...common, `-server.http-listen-port=${input.ports[at]}`, `-server.grpc-listen-port=${input.rpcPorts[at]}`, ...extra],
  });
  return [
    spec('distributor', 'distributor', 0),
    ...Array.from({ length: INGESTER_COUNT }, (_, i) =>
      spec(`ingester-${i + 1}`, 'ingester', 1 + i, [
        `-ring.instance-id=ingester-${i + 1}`,
        '-ring.instance-addr=127.0.0.1',
        `-blocks-storage.tsdb.dir=${input.dataDir}/ingester-${i + 1}/tsdb`,
      ]),
    ),
    // A chunks cache, as Cortex deployments run one: a refreshing dashboard reads each chunk of
    // object storage once.
    spec('querier', 'querier', 1 + INGESTER_COUNT, ['-blocks-storage.bucket-store.chunks-cache.backend=inmemory', `-blocks-storage.bucket-store.chunks-cache.inmemory.max-size-bytes=${256 << 20}`]),
    spec('compactor', 'compactor', 2 + INGESTER_COUNT),
  ];
}
