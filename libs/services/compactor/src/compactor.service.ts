import { mkdir } from 'node:fs/promises';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Compaction, compactAll } from '@myelin/compactor';
import { bucketFromConfig } from '@myelin/object-store';
import { CLOCK, type Clock, CONFIG, LOGGER, type Logger, type MyelinConfig } from '@myelin/platform';

/**
 * Runs the compaction loop: at start and every -compactor.compaction-interval, every tenant's
 * overlapping blocks (the RF replicas the ingesters shipped) are merged into one block and the
 * sources marked for deletion. Runs never overlap; a run can also be asked for (POST
 * /compactor/compact).
 */
@Injectable()
export class CompactorService implements OnModuleInit, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<Compaction[]> | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: MyelinConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const every = this.config['compactor.compaction-interval'];
    if (every <= 0) return;
    this.timer = setInterval(() => void this.run().catch(() => undefined), every).unref();
    setTimeout(() => void this.run().catch(() => undefined), 1000).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** One pass (or the pass already under way). */
  run(): Promise<Compaction[]> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<Compaction[]> {
    const dir = this.config['compactor.data-dir'];
    await mkdir(dir, { recursive: true });
    const done = await compactAll(bucketFromConfig(this.config), dir, () => this.clock.now(), (tenant, e) => this.logger.error({ tenant, err: e }, 'compaction failed'));
    for (const c of done) this.logger.info({ tenant: c.tenant, block: c.ulid, sources: c.sources, series: c.series, samples: c.samples }, 'blocks compacted');
    return done;
  }
}
