import { Readable } from 'node:stream';
import { All, Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tenantOf } from '@myelin/model';
import { CONFIG, type MyelinConfig } from '@myelin/platform';
import { type ApiResponse, errorBody, formOf, type Form } from '@myelin/query-api';
import { QuerierService } from './querier.service';

/** Cortex's prefix for the Prometheus API, and its legacy alias. */
export const API_PREFIXES = ['prometheus/api/v1', 'api/prom/api/v1'];
const at = (path: string) => API_PREFIXES.map((p) => `${p}/${path}`);

/**
 * The Prometheus HTTP API as Grafana and promtool call it, GET and POST (url-encoded form) alike,
 * for the tenant named by X-Scope-OrgID. The answers come from QueryApi unchanged. (`@All` and a
 * method check: Nest keeps only one of two method decorators on a handler.)
 */
@Controller()
export class PrometheusApiController {
  constructor(
    private readonly querier: QuerierService,
    @Inject(CONFIG) private readonly config: MyelinConfig,
  ) {}

  @All(at('query'))
  query(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, (tenant, form, signal) => this.querier.api.query(tenant, form, signal));
  }

  @All(at('query_range'))
  queryRange(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, (tenant, form, signal) => this.querier.api.queryRange(tenant, form, signal));
  }

  @All(at('series'))
  series(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, (tenant, form) => this.querier.api.series(tenant, form));
  }

  @All(at('labels'))
  labels(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, (tenant, form) => this.querier.api.labels(tenant, form));
  }

  @Get(at('label/:name/values'))
  labelValues(@Req() req: FastifyRequest, @Res() reply: FastifyReply, @Param('name') name: string): Promise<void> {
    return this.handle(req, reply, (tenant, form) => this.querier.api.labelValues(tenant, name, form));
  }

  @Get(at('metadata'))
  metadata(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, async () => this.querier.api.metadata());
  }

  @All(at('query_exemplars'))
  exemplars(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, async () => this.querier.api.exemplars());
  }

  @Get(at('status/buildinfo'))
  buildInfo(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.handle(req, reply, async () => this.querier.api.buildInfo());
  }

  private async handle(req: FastifyRequest, reply: FastifyReply, answer: (tenant: string, form: Form, signal: AbortSignal) => Promise<ApiResponse>): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'POST') {
      await reply.code(405).header('allow', 'GET, POST').type('application/json').send(errorBody('bad_data', `method ${req.method} not allowed: use GET or POST`));
      return;
    }
    const who = tenantOf(req.headers['x-scope-orgid'], this.config['auth.enabled']);
    // A client that goes away (Grafana cancels a panel's query on refresh) stops the evaluation.
    const gone = new AbortController();
    const onClose = () => reply.raw.writableFinished || gone.abort();
    reply.raw.once('close', onClose);
    const res = 'status' in who ? { status: who.status, body: errorBody('bad_data', who.message) } : await answer(who.tenant, formOf(req.query as Record<string, unknown>, formBody(req)), gone.signal);
    reply.code(res.status).type('application/json');
    await reply.send(typeof res.body === 'string' ? res.body : Readable.from(batched(res.body)));
  }
}

/** Pieces joined into writes of about 64 KiB: one socket write per series would cost more than the JSON. */
function* batched(pieces: Iterable<string>): Generator<string> {
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= 65_536) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

/** The url-encoded body of a POST, whether the framework parsed it or left the bytes. */
function formBody(req: FastifyRequest): Record<string, unknown> | undefined {
  const body = req.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    const params = new URLSearchParams(body.toString());
    return Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k)]));
  }
  return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
}
