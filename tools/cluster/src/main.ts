// `npm run cluster`: the docker-compose topology as local processes (no Docker needed).
// redis-server (from the system) and an S3 endpoint (s3rver), then one distributor, three
// ingesters, one querier and one compactor on loopback; prefixed logs; a health summary once all
// are ready; Ctrl-C (or SIGTERM) stops every child and waits for them.
//
//   node dist/tools/cluster/main.js [--base-port=8001] [--data-dir=./data/cluster] [--quiet]
//   --base-port=0 picks free ports for everything.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  clusterTopology,
  freePort,
  INGESTER_COUNT,
  MyelinProcess,
  RedisServer,
  S3Server,
} from '@myelin/test-services';


interface Args {
  basePort: number;
  dataDir: string;
  quiet: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { basePort: 8001, dataDir: path.resolve('data/cluster'), quiet: false };
  for (const arg of argv) {
    const [key, value] = arg.replace(/^--?/, '').split('=', 2);
    if (key === 'base-port' && /^\d+$/.test(value ?? '')) args.basePort = Number(value);
    else if (key === 'data-dir' && value) args.dataDir = path.resolve(value);
    else if (key === 'quiet') args.quiet = true;
    else if (key === 'help' || key === 'h') {
      process.stdout.write('Usage: npm run cluster -- [--base-port=8001] [--data-dir=./data/cluster] [--quiet]\n');
      process.exit(0);
    } else {
      process.stderr.write(`cluster: unknown or malformed argument ${arg} (see --help)\n`);
      process.exit(2);
    }
  }
  return args;
}

const NAME_WIDTH = 12;
function prefixed(name: string, quiet: boolean): (line: string) => void {
  const tag = `[${name}]`.padEnd(NAME_WIDTH + 2);
  return (line) => {
    if (!quiet) process.stdout.write(`${tag} ${line}\n`);
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const serviceCount = 3 + INGESTER_COUNT;
  // HTTP on base..base+5, binary RPC on base+1000.. (8001-8006 and 9001-9006 by default).
  const pick = (offset: number) =>
    args.basePort === 0
      ? Promise.all(Array.from({ length: serviceCount }, () => freePort()))
      : Promise.resolve(Array.from({ length: serviceCount }, (_, i) => args.basePort + offset + i));
  const ports = await pick(0);
  const rpcPorts = await pick(1000);
  mkdirSync(args.dataDir, { recursive: true });
  const started = Date.now();

  const stoppers: Array<{ name: string; pid: () => number | undefined; stop: () => Promise<unknown> }> = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`cluster: stopping ${stoppers.length} processes\n`);
    // Services first, then the stores they use.
    for (const s of [...stoppers].reverse()) {
      await s.stop().catch((e) => process.stderr.write(`cluster: stopping ${s.name}: ${(e as Error).message}\n`));
    }
    process.stdout.write(`cluster: stopped all ${stoppers.length} processes\n`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const redis = await RedisServer.start({ onLine: prefixed('redis', args.quiet), detached: true });
    stoppers.push({ name: 'redis', pid: () => redis.pid, stop: () => redis.stop() });
    const s3 = await S3Server.start({ dir: path.join(args.dataDir, 's3'), onLine: prefixed('s3', args.quiet), detached: true });
    stoppers.push({ name: 's3', pid: () => s3.pid, stop: () => s3.stop() });

    const topology = clusterTopology({
      ports,
      rpcPorts,
      redisAddress: redis.address,
      s3Endpoint: `127.0.0.1:${s3.port}`,
      s3Bucket: s3.bucket,
      s3AccessKeyId: S3Server.accessKeyId,
      s3SecretAccessKey: S3Server.secretAccessKey,
      dataDir: args.dataDir,
    });
    const services = await Promise.all(
      topology.map(async (spec) => {
        const proc = await MyelinProcess.spawn({ binary: spec.binary, args: spec.args, onLine: prefixed(spec.name, args.quiet), detached: true });
        stoppers.push({ name: spec.name, pid: () => proc.child.pid, stop: () => proc.stop() });
        proc.child.exited.then(({ code, signal }) => {
          if (!stopping) process.stdout.write(`cluster: ${spec.name} exited unexpectedly (code ${code}, signal ${signal})\n`);
        });
        return { spec, proc };
      }),
    );
    await Promise.all(services.map(({ proc }) => proc.waitReady(60_000)));

    const rows = [
      ['redis', redis.pid, `redis://${redis.address}`],
      ['s3', s3.pid, `${s3.endpoint} (bucket ${s3.bucket}, key ${S3Server.accessKeyId})`],
      ...services.map(({ spec, proc }) => [spec.name, proc.child.pid, proc.url]),
    ];
    const urlOf = (name: string) => services.find((s) => s.spec.name === name)!.proc.url;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      [
        '',
        `cluster ready: ${rows.length} processes in ${seconds}s`,
        ...rows.map(([name, pid, url]) => `  ${String(name).padEnd(NAME_WIDTH)} pid ${String(pid).padEnd(8)} ${url}  ready`),
        `  remote write: ${urlOf('distributor')}/api/v1/push (header X-Scope-OrgID: <tenant>)`,
        `  PromQL:       ${urlOf('querier')}/prometheus`,
        '  Ctrl-C stops everything.',
        '',
      ].join('\n'),
    );
  } catch (e) {
    process.stderr.write(`cluster: start-up failed: ${(e as Error).message}\n`);
    await stopAll(1);
  }
}

void main();
