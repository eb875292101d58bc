import { Global, Inject, Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { LOCAL_INGESTER } from '@myelin/ingester-client';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { CONFIG, LOGGER, type Logger, type MyelinConfig, Readiness } from '@myelin/platform';
import { RingModule } from '@myelin/ring-module';
import { IngesterLifecycler } from './ingester-lifecycler';
import { IngesterAdminController } from './ingester-admin.controller';
import { IngesterRpcController } from './ingester-rpc.controller';
import { IngesterService } from './ingester.service';
import { LocalIngesterAdapter } from './local-ingester';

/**
 * The ingester: takes pushes over RPC into a per-tenant in-memory head with a WAL under
 * -blocks-storage.tsdb.dir, cuts blocks and ships them to object storage, answers queries over RPC
 * from its head and local blocks, and is a member of the ring (tokens and READONLY state in its
 * tokens file; leaves on shutdown unless READONLY). On start it replays the WAL before joining the
 * ring; it is ready once the data directory is writable and it is in the ring as ACTIVE or
 * READONLY. Admin API: /ingester/blocks, /ingester/flush, /ingester/shutdown.
 */
// Global so that a distributor in the same process finds LOCAL_INGESTER (pushes without the RPC).
@Global()
@Module({
  imports: [RingModule],
  controllers: [IngesterRpcController, IngesterAdminController],
  providers: [IngesterLifecycler, IngesterService, { provide: LOCAL_INGESTER, useClass: LocalIngesterAdapter }],
  exports: [IngesterLifecycler, IngesterService, LOCAL_INGESTER],
})
export class IngesterModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly readiness: Readiness,
    private readonly ingester: IngesterService,
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const dir = this.config['blocks-storage.tsdb.dir'];
    mkdirSync(dir, { recursive: true });
    this.readiness.register('ingester', () => dataDirProblem(dir) ?? this.ingester.readinessProblem());
    await this.ingester.start();
    this.logger.info({ module: 'ingester', dir }, 'module initialised');
  }

  async onModuleDestroy(): Promise<void> {
    await this.ingester.stop();
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
