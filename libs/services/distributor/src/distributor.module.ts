import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';
import { RingModule } from '@myelin/ring-module';

/**
 * The distributor: takes Prometheus remote write at /api/v1/push and spreads series over the
 * ingesters by the hash ring. Today it watches the ingester ring (RingModule, which also serves
 * /ring); it is ready once the ring has been read. The push route arrives with the write path.
 */
@Module({ imports: [RingModule] })
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
