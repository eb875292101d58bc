import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig, type MyelinConfig, type OptionName } from '@myelin/platform';
import { clusterTopology, workspaceRoot } from '@myelin/test-services';

// There is no Docker engine here, so docker-compose.yml is checked statically against what the
// build produces and what the binaries accept: entry points, flags and env vars, ports, volumes,
// and the wiring of Redis, MinIO, Prometheus and Grafana.
const root = workspaceRoot();
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true });
const services: Record<string, any> = compose.services;
const myelinServices = Object.entries(services).filter(([, s]) => s.build?.target);

function dockerStages(dockerfile: string): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of readFileSync(path.join(root, dockerfile), 'utf8').split('\n')) {
    const from = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(line);
    if (from) stages.set(from[1], (current = []));
    else current.push(line);
  }
  return stages;
}

function entrypointOf(stage: string[]): string[] {
  const line = stage.find((l) => l.startsWith('ENTRYPOINT'));
  return line ? JSON.parse(line.slice('ENTRYPOINT'.length)) : [];
}

/** The config a compose service's container would run with, as the binary itself reads it. */
function configOf(service: any): { config: MyelinConfig; explicit: Set<OptionName> } {
  const stage = dockerStages(service.build.dockerfile).get(service.build.target)!;
  const argv = [...entrypointOf(stage).slice(2), ...(service.command ?? [])];
  const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));
  const loaded = loadConfig({ argv, env, readFile: () => '', defaults: { target: service.build.target } });
  if (loaded.kind !== 'config') throw new Error(`${service.build.target}: ${JSON.stringify(loaded)}`);
  const explicit = new Set((Object.entries(loaded.origins) as Array<[OptionName, string]>).filter(([, o]) => o !== 'default').map(([k]) => k));
  return { config: loaded.config, explicit };
}

function containerPort(mapping: string): number {
  return Number(String(mapping).split(':').pop());
}

describe('docker-compose.yml', () => {
  it('has the whole topology', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['compactor', 'distributor', 'grafana', 'ingester-1', 'ingester-2', 'ingester-3', 'minio', 'minio-init', 'prometheus', 'querier', 'redis'].sort(),
    );
  });

  it('every depends_on names a service', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const dep of s.depends_on ?? []) expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
    }
  });

  it.each(myelinServices)('%s: its Docker stage runs a bundle the build produces', (_name, service) => {
    const stages = dockerStages(service.build.dockerfile);
    expect(stages.has(service.build.target)).toBe(true);
    const [node, entry] = entrypointOf(stages.get(service.build.target)!);
    expect(node).toBe('node');
    expect(entry).toBe(`dist/apps/${service.build.target}/main.js`);
    expect(existsSync(path.join(root, entry))).toBe(true);
    // The runtime image gets dist/ from the build stage, which runs the same build.
    expect(stages.get('build')!.join('\n')).toContain('RUN npm run build');
  });

  it.each(myelinServices)('%s: its flags and env vars are valid Myelin config, port and volume consistent', (name, service) => {
    const { config } = configOf(service);
    expect(config.target).toBe(service.build.target);
    const published = (service.ports ?? []).map(containerPort);
    expect(published).toContain(config['server.http-listen-port']);
    if (service.build.target === 'ingester') {
      const [volume, mount] = String(service.volumes[0]).split(':');
      expect(Object.keys(compose.volumes)).toContain(volume);
      expect(config['blocks-storage.tsdb.dir'].startsWith(mount + '/')).toBe(true);
      expect(config['ring.instance-id']).toBe(name);
    }
  });

  it('ingesters have distinct stable ids and volumes', () => {
    const ingesters = myelinServices.filter(([, s]) => s.build.target === 'ingester');
    expect(ingesters).toHaveLength(3);
    expect(new Set(ingesters.map(([, s]) => configOf(s).config['ring.instance-id'])).size).toBe(3);
    expect(new Set(ingesters.map(([, s]) => s.volumes[0].split(':')[0])).size).toBe(3);
  });

  it('wires the ring to the redis service and the bucket to MinIO with the bucket created', () => {
    const minio = services['minio'];
    const init = services['minio-init'].entrypoint.join(' ');
    for (const [, service] of myelinServices) {
      const { config } = configOf(service);
      expect(config['ring.store']).toBe('redis');
      const [redisHost, redisPort] = config['ring.redis.address'].split(':');
      expect(redisHost).toBe('redis');
      expect(services['redis'].ports.map(containerPort)).toContain(Number(redisPort));
      expect(config['blocks-storage.backend']).toBe('s3');
      expect(config['blocks-storage.s3.endpoint']).toBe('minio:9000');
      expect(config['blocks-storage.s3.access-key-id']).toBe(minio.environment.MINIO_ROOT_USER);
      expect(config['blocks-storage.s3.secret-access-key']).toBe(minio.environment.MINIO_ROOT_PASSWORD);
      expect(init).toContain(`mc mb --ignore-existing local/${config['blocks-storage.s3.bucket-name']}`);
    }
  });

  it('runs the same Myelin topology as npm run cluster, with the same options set', () => {
    const topology = clusterTopology({
      ports: [1, 2, 3, 4, 5, 6],
      rpcPorts: [11, 12, 13, 14, 15, 16],
      redisAddress: 'r:1',
      s3Endpoint: 's:1',
      s3Bucket: 'b',
      s3AccessKeyId: 'a',
      s3SecretAccessKey: 's',
      dataDir: '/d',
    });
    expect(myelinServices.map(([name]) => name)).toEqual(topology.map((s) => s.name));
    for (const spec of topology) {
      const fromCompose = configOf(services[spec.name]).explicit;
      const loaded = loadConfig({ argv: spec.args, env: {}, readFile: () => '', defaults: { target: spec.binary } });
      if (loaded.kind !== 'config') throw new Error(JSON.stringify(loaded));
      const fromLauncher = new Set(Object.entries(loaded.origins).filter(([, o]) => o !== 'default').map(([k]) => k));
      // Containers listen on every interface and advertise their host name; the launcher binds
      // and advertises loopback only.
      fromLauncher.delete('server.http-listen-address');
      fromLauncher.delete('server.grpc-listen-address');
      // Containers use the default RPC port (9095) each; local processes need one port apiece.
      fromLauncher.delete('server.grpc-listen-port');
      fromLauncher.delete('ring.instance-addr');
      expect({ service: spec.name, options: [...fromCompose].sort() }).toEqual({ service: spec.name, options: [...fromLauncher].sort() });
      expect(services[spec.name].build.target).toBe(spec.binary);
    }
  });

  it('Prometheus remote-writes into the distributor as a tenant', () => {
    const mount = services['prometheus'].volumes[0].split(':')[0];
    const prom = parse(readFileSync(path.join(root, mount), 'utf8'));
    const url = new URL(prom.remote_write[0].url);
    expect(url.hostname).toBe('distributor');
    expect(Number(url.port)).toBe(configOf(services['distributor']).config['server.http-listen-port']);
    expect(url.pathname).toBe('/api/v1/push');
    expect(prom.remote_write[0].headers['X-Scope-OrgID']).toBe('demo');
  });

  it('Grafana has the querier as its Prometheus data source for the same tenant', () => {
    const mount = services['grafana'].volumes[0].split(':')[0];
    const file = path.join(root, mount, 'datasources', 'myelin.yml');
    const ds = parse(readFileSync(file, 'utf8')).datasources[0];
    expect(ds.type).toBe('prometheus');
    const url = new URL(ds.url);
    expect(url.hostname).toBe('querier');
    expect(Number(url.port)).toBe(configOf(services['querier']).config['server.http-listen-port']);
    expect(url.pathname).toBe('/prometheus');
    expect(ds.jsonData.httpHeaderName1).toBe('X-Scope-OrgID');
    expect(ds.secureJsonData.httpHeaderValue1).toBe('demo');
  });

  it('every bind-mounted file or directory exists in the repository', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const source = String(v).split(':')[0];
        if (source.startsWith('./')) expect({ name, source, exists: existsSync(path.join(root, source)) }).toEqual({ name, source, exists: true });
      }
    }
  });
});
