import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';

/**
 * The compactor: merges blocks in object storage and applies retention. The compaction loop
 * arrives with the compactor work; until then the module registers the service so it is counted
 * in readiness.
 */
@Module({})
export class CompactorModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.readiness.register('compactor', () => undefined);
    this.logger.info({ module: 'compactor' }, 'module initialised');
  }
}
