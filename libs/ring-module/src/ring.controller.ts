import { Body, Controller, Get, Inject, Post, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { KVClient } from '@myelin/kv';
import { CLOCK, type Clock } from '@myelin/platform';
import { type RingDesc, ringStatus, withoutInstance } from '@myelin/ring';
import { IngesterRing } from './ingester-ring';
import { renderRingPage } from './ring-page';
import { INGESTER_RING_KEY, RING_KV } from './tokens';

/**
 * The ingester ring's status page, as Cortex serves it at /ring and /ingester/ring: HTML for
 * people, `?format=json` for machines, and POST `forget=<id>` to remove an unhealthy instance.
 */
@Controller()
export class RingController {
  constructor(
    private readonly ring: IngesterRing,
    @Inject(RING_KV) private readonly kv: KVClient<RingDesc>,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(['ring', 'ingester/ring'])
  async page(@Query('format') format: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    await this.ring.watcher.refresh().catch(() => undefined); // show the freshest ring, or the last known one
    this.send(reply, format, 200);
  }

  @Post(['ring', 'ingester/ring'])
  async forget(@Body() body: unknown, @Query('format') format: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const id = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).forget : undefined;
    if (typeof id !== 'string' || id === '') return this.send(reply, format, 400, 'missing form field "forget" (the instance ID)');
    const now = this.clock.now();
    let refusal: string | undefined;
    await this.kv.cas(INGESTER_RING_KEY, (desc) => {
      refusal = undefined;
      const status = ringStatus(this.ring.watcher.ring(), now).find((r) => r.id === id);
      if (!desc?.instances[id]) return (refusal = `instance ${id} is not in the ring`), undefined;
      if (status && !status.unhealthy) return (refusal = `instance ${id} is healthy; only unhealthy instances can be forgotten`), undefined;
      return withoutInstance(desc, id);
    });
    await this.ring.watcher.refresh().catch(() => undefined);
    if (refusal) return this.send(reply, format, 400, refusal);
    this.send(reply, format, 200, `instance ${id} forgotten`);
  }

  private send(reply: FastifyReply, format: string | undefined, status: number, message?: string): void {
    const rows = ringStatus(this.ring.watcher.ring(), this.clock.now());
    if (format === 'json') {
      reply.code(status).send(status >= 400 ? { status: 'error', error: message } : { instances: rows, ...(message ? { message } : {}) });
      return;
    }
    reply.code(status).type('text/html; charset=utf-8').send(renderRingPage('Ingester ring', rows, this.clock.now(), message));
  }
}
