import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';

/**
 * The querier: answers the Prometheus HTTP API under /prometheus/api/v1 over ingesters and
 * blocks. The API arrives with the read-path work; until then the module registers the service
 * so it is counted in readiness.
 */
@Module({})
export class QuerierModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.readiness.register('querier', () => undefined);
    this.logger.info({ module: 'querier' }, 'module initialised');
  }
}
