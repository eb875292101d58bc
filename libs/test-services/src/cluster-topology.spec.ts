import { clusterTopology } from './cluster-topology';

const input = {
  ports: [8001, 8002, 8003, 8004, 8005, 8006],
  rpcPorts: [9001, 9002, 9003, 9004, 9005, 9006],
  redisAddress: '127.0.0.1:6380',
  s3Endpoint: '127.0.0.1:9000',
  s3Bucket: 'myelin',
  s3AccessKeyId: 'S3RVER',
  s3SecretAccessKey: 'S3RVER',
  dataDir: '/tmp/c',
};

describe('clusterTopology', () => {
  it('has one distributor, three ingesters, one querier and one compactor on the given ports', () => {
    expect(clusterTopology(input).map((s) => [s.name, s.binary, s.port])).toEqual([
      ['distributor', 'distributor', 8001],
      ['ingester-1', 'ingester', 8002],
      ['ingester-2', 'ingester', 8003],
      ['ingester-3', 'ingester', 8004],
      ['querier', 'querier', 8005],
      ['compactor', 'compactor', 8006],
    ]);
  });

  it('gives each ingester a stable id and its own data directory', () => {
    const ingesters = clusterTopology(input).filter((s) => s.binary === 'ingester');
    expect(ingesters.map((s) => s.args.filter((a) => a.startsWith('-ring.instance-id') || a.startsWith('-blocks-storage.tsdb.dir') || a.startsWith('-ring.instance-addr')))).toEqual([
      ['-ring.instance-id=ingester-1', '-ring.instance-addr=127.0.0.1', '-blocks-storage.tsdb.dir=/tmp/c/ingester-1/tsdb'],
      ['-ring.instance-id=ingester-2', '-ring.instance-addr=127.0.0.1', '-blocks-storage.tsdb.dir=/tmp/c/ingester-2/tsdb'],
      ['-ring.instance-id=ingester-3', '-ring.instance-addr=127.0.0.1', '-blocks-storage.tsdb.dir=/tmp/c/ingester-3/tsdb'],
    ]);
  });

  it('points every service at the same ring and bucket', () => {
    for (const s of clusterTopology(input)) {
      expect(s.args).toContain('-ring.redis.address=127.0.0.1:6380');
      expect(s.args).toContain('-blocks-storage.s3.endpoint=127.0.0.1:9000');
      expect(s.args).toContain(`-server.http-listen-port=${s.port}`);
      expect(s.args).toContain(`-server.grpc-listen-port=${s.rpcPort}`);
    }
  });

  it('refuses a wrong number of ports', () => {
    expect(() => clusterTopology({ ...input, ports: [1, 2] })).toThrow('need 6 ports, got 2');
    expect(() => clusterTopology({ ...input, rpcPorts: [1] })).toThrow('need 6 RPC ports, got 1');
  });
});
