import { Module } from '@nestjs/common';
import { CONFIG, LOGGER, type Logger, type MyelinConfig } from '@myelin/platform';
import { IngesterRing } from './ingester-ring';
import { createRingKV } from './ring-kv.factory';
import { RingController } from './ring.controller';
import { RING_KV } from './tokens';

/**
 * The ring for Nest services: the KV store (-ring.store), the live ingester ring, and the /ring
 * page. Static, so a process that runs several services (distributor and ingester in
 * -target=all) has one KV connection and one ring view.
 */
@Module({
  controllers: [RingController],
  providers: [
    {
      provide: RING_KV,
      inject: [CONFIG, LOGGER],
      useFactory: (config: MyelinConfig, logger: Logger) => createRingKV(config, logger),
    },
    IngesterRing,
  ],
  exports: [RING_KV, IngesterRing],
})
export class RingModule {}
