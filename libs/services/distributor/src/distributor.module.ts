import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';

/**
 * The distributor: takes Prometheus remote write at /api/v1/push and spreads series over the
 * ingesters by the hash ring. The push route and the ring client arrive with the write-path work;
 * until then the module registers the service so it is counted in readiness.
 */
@Module({})
export class DistributorModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.readiness.register('distributor', () => undefined);
    this.logger.info({ module: 'distributor' }, 'module initialised');
  }
}
