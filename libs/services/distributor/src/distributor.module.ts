import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { LOGGER, type Logger, Readiness } from '@myelin/platform';
import { IngesterRing, RingModule } from '@myelin/ring-module';
import { CONFIG, type MyelinConfig } from '@myelin/platform';
import { createIngesterPool, DistributorService, INGESTER_POOL } from './distributor.service';
import { PUSH_PATHS, PushController } from './push.controller';
import { rawBodyFor } from './raw-body.hook';

/**
 * The distributor: takes Prometheus remote write at /api/v1/push, validates it, applies per-tenant
 * limits, and spreads its series over the ingesters by the hash ring with replication and quorum.
 * Ready once it has read the ring (RingModule, which also serves /ring).
 */
@Module({
  imports: [RingModule],
  controllers: [PushController],
  providers: [DistributorService, { provide: INGESTER_POOL, inject: [CONFIG], useFactory: (config: MyelinConfig) => createIngesterPool(config) }],
  exports: [DistributorService],
})
export class DistributorModule implements OnModuleInit {
  constructor(
    private readonly readiness: Readiness,
    private readonly ring: IngesterRing,
    private readonly http: HttpAdapterHost,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    rawBodyFor(this.http.httpAdapter.getInstance<FastifyInstance>(), PUSH_PATHS);
    this.readiness.register('distributor', () => (this.ring.watcher.lastUpdate === 0 ? 'ring not yet read' : undefined));
    this.logger.info({ module: 'distributor' }, 'module initialised');
  }
}
