import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { CONFIG, LOGGER, type Logger, type MyelinConfig, Readiness } from '@myelin/platform';

/**
 * The ingester: holds recent samples in memory with a WAL under blocks-storage.tsdb.dir and ships
 * blocks to object storage. Head, WAL and ring membership arrive with the later issues; today it
 * owns its data directory and is ready only while that directory is writable.
 */
@Module({})
export class IngesterModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    const dir = this.config['blocks-storage.tsdb.dir'];
    mkdirSync(dir, { recursive: true });
    this.readiness.register('ingester', () => dataDirProblem(dir));
    this.logger.info({ module: 'ingester', dir }, 'module initialised');
  }
}

function dataDirProblem(dir: string): string | undefined {
  try {
    accessSync(dir, constants.W_OK);
    return undefined;
  } catch (e) {
    return `data directory ${dir} not writable: ${(e as Error).message}`;
  }
}
