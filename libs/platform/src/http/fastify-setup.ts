import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createRequestDuration } from '../metrics/registry';

/**
 * Body handling shared by every service. JSON and text use Fastify's parsers and forms (the
 * Prometheus API's POST queries) Nest's, registered at init; every other content type, remote
 * write's `application/x-protobuf` among them, reaches the handler as the raw bytes in a Buffer:
 * nothing decodes or copies it on the way, and the route itself decides what it accepts (415).
 */
export function registerBodyParsers(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
}

/** `/api/v1/push` -> `api_v1_push`, as Cortex names routes in its request metrics. */
export function routeName(url: string | undefined): string {
  if (!url) return 'other';
  const name = url
    .replace(/^\//, '')
    .replace(/[^a-zA-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return name === '' ? 'root' : name;
}

/** Observes every request in cortex_request_duration_seconds. */
export function registerRequestMetrics(fastify: FastifyInstance, registry: Registry): void {
  const duration = createRequestDuration(registry);
  fastify.addHook('onResponse', (request, reply, done) => {
    duration.observe(
      {
        method: request.method,
        route: routeName(request.routeOptions.url),
        status_code: String(reply.statusCode),
        ws: 'false',
      },
      reply.elapsedTime / 1000,
    );
    done();
  });
}
