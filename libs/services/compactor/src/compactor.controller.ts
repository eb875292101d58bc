import { Controller, Post } from '@nestjs/common';
import type { Compaction } from '@myelin/compactor';
import { CompactorService } from './compactor.service';

/** POST /compactor/compact: a compaction pass now; answers what was merged. */
@Controller()
export class CompactorController {
  constructor(private readonly compactor: CompactorService) {}

  @Post('compactor/compact')
  async compact(): Promise<{ compacted: Compaction[] }> {
    return { compacted: await this.compactor.run() };
  }
}
