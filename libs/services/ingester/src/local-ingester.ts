import { Inject, Injectable } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import type { LocalIngester, PushBatch } from '@myelin/ingester-client';
import { CONFIG, type MyelinConfig } from '@myelin/platform';
import { RpcCallError } from '@myelin/rpc';
import { instanceAddr } from './ingester-lifecycler';
import { IngesterService } from './ingester.service';

/**
 * This process's ingester as a distributor in the same process sees it (-target=all): pushes by
 * method call, no encoding and no socket, with the same answers as the RPC gives (RpcCallError
 * with the status).
 */
@Injectable()
export class LocalIngesterAdapter implements LocalIngester {
  readonly address: string;

  constructor(
    private readonly ingester: IngesterService,
    @Inject(CONFIG) config: MyelinConfig,
  ) {
    this.address = instanceAddr(config);
  }

  async push(batch: PushBatch): Promise<void> {
    try {
      await this.ingester.pushBatch(batch);
    } catch (e) {
      if (e instanceof RpcException) {
        const err = e.getError() as { code?: number; message?: string };
        throw new RpcCallError(err.code ?? 500, err.message ?? String(err));
      }
      throw e;
    }
  }
}
