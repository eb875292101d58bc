import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { CONFIG, LOGGER, type Logger, type MyelinConfig, Readiness } from '@myelin/platform';
import { RingModule } from '@myelin/ring-module';
import { IngesterLifecycler } from './ingester-lifecycler';

/**
 * The ingester: holds recent samples in memory with a WAL under blocks-storage.tsdb.dir and ships
 * blocks to object storage. Today it owns its data directory and its ring membership: it joins
 * the ring on start (tokens and READONLY state kept in the tokens file), heartbeats, and leaves
 * on shutdown unless READONLY. Ready once the directory is writable and it is in the ring as
 * ACTIVE or READONLY. Head, WAL and shipping arrive with the later issues.
 */
@Module({
  imports: [RingModule],
  providers: [IngesterLifecycler],
  exports: [IngesterLifecycler],
})
export class IngesterModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly lifecycler: IngesterLifecycler,
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const dir = this.config['blocks-storage.tsdb.dir'];
    mkdirSync(dir, { recursive: true });
    await this.lifecycler.start();
    this.readiness.register('ingester', () => dataDirProblem(dir) ?? this.lifecycler.lifecycler.readinessProblem());
    this.logger.info({ module: 'ingester', dir, instance: this.lifecycler.lifecycler.id }, 'module initialised');
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
