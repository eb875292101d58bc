import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';
import { IngesterRing, RingModule } from '@myelin/ring-module';
import { PrometheusApiController } from './prometheus-api.controller';
import { QuerierService } from './querier.service';

/**
 * The querier: answers the Prometheus HTTP API under /prometheus/api/v1 (and /api/prom/api/v1)
 * over the ingesters, found through the ring (every ingester healthy for reads, READONLY ones
 * included), and the blocks in object storage, split by time and merged so each sample is
 * returned once (QuerierService). Ready once it has read the ring.
 */
@Module({
  imports: [RingModule],
  controllers: [PrometheusApiController],
  providers: [QuerierService],
  exports: [QuerierService],
})
export class QuerierModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly ring: IngesterRing,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.readiness.register('querier', () => (this.ring.watcher.lastUpdate === 0 ? 'ring not yet read' : undefined));
    this.logger.info({ module: 'querier' }, 'module initialised');
  }
}
