import { Controller, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CONFIG, type MyelinConfig } from '@myelin/platform';
import { tenantOf } from '@myelin/model';
import { DecodeError, negotiate } from '@myelin/remote-write';
import { DistributorService } from './distributor.service';
import { ORIGINAL_CONTENT_TYPE } from './raw-body.hook';

export const PUSH_PATHS = ['/api/v1/push', '/api/prom/push'];

/**
 * Prometheus remote write (1.0 and 2.0) at /api/v1/push (and Cortex's /api/prom/push). The body
 * arrives as raw bytes; nothing parses it before this handler.
 */
@Controller()
export class PushController {
  constructor(
    private readonly distributor: DistributorService,
    @Inject(CONFIG) private readonly config: MyelinConfig,
  ) {}

  @Post(PUSH_PATHS.map((p) => p.slice(1)))
  async push(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const fail = (status: number, message: string) => reply.code(status).type('text/plain; charset=utf-8').send(message + '\n');
    const contentType = (req.headers[ORIGINAL_CONTENT_TYPE] as string | undefined) || undefined;
    const protocol = negotiate(contentType, req.headers['content-encoding'] as string | undefined);
    if (!protocol.ok) return fail(415, protocol.error);
    if (!Buffer.isBuffer(req.body)) return fail(415, 'missing or unsupported Content-Type: want application/x-protobuf with a snappy-compressed body');

    const who = tenantOf(req.headers['x-scope-orgid'], this.config['auth.enabled']);
    if ('status' in who) return fail(who.status, who.message);
    const tenant = who.tenant;

    let result;
    try {
      result = await this.distributor.push(tenant, protocol.version, req.body);
    } catch (e) {
      if (e instanceof DecodeError) return fail(400, `bad remote write body: ${e.message}`);
      throw e;
    }
    if (protocol.version === 2) {
      reply.header('X-Prometheus-Remote-Write-Samples-Written', String(result.samplesWritten));
      reply.header('X-Prometheus-Remote-Write-Histograms-Written', '0');
      reply.header('X-Prometheus-Remote-Write-Exemplars-Written', String(result.exemplarsWritten));
    }
    if (result.status >= 300) return fail(result.status, result.message ?? 'push failed');
    reply.code(204).send();
  }
}
