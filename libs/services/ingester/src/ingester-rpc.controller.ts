import { Controller } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { LABEL_NAMES, LABEL_VALUES, PUSH, QUERY, QUERY_CHUNKS } from '@myelin/ingester-client';
import { IngesterService } from './ingester.service';

/** The ingester's RPC API (docs/format/ingester-rpc.md), served on -server.grpc-listen-port. */
@Controller()
export class IngesterRpcController {
  constructor(private readonly ingester: IngesterService) {}

  @MessagePattern(PUSH)
  push(payload: Buffer): Promise<Buffer[]> {
    return this.ingester.push(payload);
  }

  @MessagePattern(QUERY)
  query(payload: Buffer): Promise<Buffer[]> {
    return this.ingester.query(payload);
  }

  @MessagePattern(QUERY_CHUNKS)
  queryChunks(payload: Buffer): Promise<Buffer[]> {
    return this.ingester.queryChunks(payload);
  }

  @MessagePattern(LABEL_NAMES)
  labelNames(payload: Buffer): Promise<Buffer> {
    return this.ingester.labelNames(payload);
  }

  @MessagePattern(LABEL_VALUES)
  labelValues(payload: Buffer): Promise<Buffer> {
    return this.ingester.labelValues(payload);
  }
}
