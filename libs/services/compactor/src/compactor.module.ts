import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';
import { CompactorController } from './compactor.controller';
import { CompactorService } from './compactor.service';

/**
 * The compactor: merges the overlapping blocks in object storage (the RF replicas of a range each
 * ingester shipped) into one, so queriers read a range once (CompactorService). Retention and
 * deleting marked blocks come with the compactor's own work.
 */
@Module({ controllers: [CompactorController], providers: [CompactorService] })
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
