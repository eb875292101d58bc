import { readFileSync } from 'node:fs';
import { BinaryRpcServer } from '@myelin/rpc';
import { createMyelinApp, modulesForTarget, type ServiceModules } from './app';
import { systemClock } from './clock';
import { loadConfig } from './config/load-config';
import { type DefaultOverrides, type MyelinConfig } from './config/options';
import { parseRuntimeConfig, TenantLimitsProvider } from './config/runtime-config';
import { createLogger } from './logging/logger';
import { createMetricsRegistry } from './metrics/registry';
import { Readiness } from './readiness';

export interface BinarySpec {
  /** Name shown in --help and in every log line. */
  program: string;
  /** This binary's defaults over the option table's. */
  defaults: DefaultOverrides;
  services: ServiceModules;
}

/**
 * The whole life of a Myelin binary: read the configuration (exit 1 naming the bad key), start
 * the HTTP server with the target's modules, mark the process started, and on SIGTERM/SIGINT close
 * every module within server.graceful-shutdown-timeout.
 */
export async function runMain(spec: BinarySpec, argv = process.argv.slice(2), env = process.env): Promise<void> {
  const loaded = loadConfig({ argv, env, readFile: (p) => readFileSync(p, 'utf8'), defaults: spec.defaults, program: spec.program });
  if (loaded.kind === 'help') {
    process.stdout.write(loaded.text);
    return;
  }
  if (loaded.kind === 'error') return exitWithConfigErrors(spec.program, loaded.errors);
  const config = loaded.config;
  const modules = modulesForTarget(config.target, spec.services);
  if (typeof modules === 'string') return exitWithConfigErrors(spec.program, [modules]);

  const tenantLimits = new TenantLimitsProvider(config);
  const runtimeErrors = loadRuntimeConfig(config, tenantLimits);
  if (runtimeErrors.length > 0) return exitWithConfigErrors(spec.program, runtimeErrors);

  const logger = createLogger({ level: config['log.level'], service: spec.program });
  const readiness = new Readiness();
  const reload = config['runtime-config.file']
    ? setInterval(() => {
        const errors = loadRuntimeConfig(config, tenantLimits);
        if (errors.length > 0) logger.error({ errors }, 'runtime configuration not reloaded; the previous overrides stay in force');
      }, config['runtime-config.reload-period']).unref()
    : undefined;
  try {
    const app = await createMyelinApp(
      { config, logger, registry: createMetricsRegistry(), clock: systemClock, readiness, tenantLimits },
      modules,
    );
    // Every process serves the binary RPC (Cortex runs gRPC in every component); modules that
    // declare @MessagePattern handlers (the ingester) answer on it.
    app.connectMicroservice(
      { strategy: new BinaryRpcServer({ host: config['server.grpc-listen-address'], port: config['server.grpc-listen-port'] }) },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.listen(config['server.http-listen-port'], config['server.http-listen-address']);
    readiness.markStarted();
    const address = app.getHttpServer().address();
    logger.info({ target: config.target, address, rpcPort: config['server.grpc-listen-port'] }, 'Myelin started');
    closeOnSignals(() => (clearInterval(reload), app.close()), config['server.graceful-shutdown-timeout'], logger);
  } catch (e) {
    logger.fatal({ err: e }, 'start-up failed');
    process.exitCode = 1;
    // Give pino a moment to flush, then leave even if something keeps the loop alive.
    setTimeout(() => process.exit(1), 100).unref();
  }
}

/** Reads -runtime-config.file into the provider; returns the problems (the overrides stay as they were then). */
function loadRuntimeConfig(config: MyelinConfig, provider: TenantLimitsProvider): string[] {
  const file = config['runtime-config.file'];
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return [`runtime-config.file: cannot read ${file}: ${(e as Error).message}`];
  }
  const parsed = parseRuntimeConfig(text, file);
  if ('errors' in parsed) return parsed.errors.map((e) => `runtime-config.file: ${e}`);
  provider.set(parsed.overrides);
  return [];
}

function exitWithConfigErrors(program: string, errors: string[]): void {
  for (const error of errors) process.stderr.write(`${program}: config error: ${error}\n`);
  process.exitCode = 1;
}

function closeOnSignals(close: () => Promise<void>, timeoutMs: number, logger: { info(o: object, m: string): void; error(o: object, m: string): void }): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.info({ signal }, 'second signal, exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ timeoutMs }, 'graceful shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    close().then(
      () => {
        logger.info({}, 'stopped');
        process.exit(0);
      },
      (e) => {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
