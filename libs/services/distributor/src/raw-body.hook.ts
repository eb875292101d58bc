import type { FastifyInstance } from 'fastify';

/** Where the push routes keep the Content-Type the sender really sent. */
export const ORIGINAL_CONTENT_TYPE = 'x-myelin-original-content-type';

/**
 * Makes the given routes take every body as raw bytes, whatever its Content-Type: without this a
 * JSON or form Content-Type would be parsed (and refused with 400) before the push handler could
 * answer 415. The real Content-Type is kept for the handler under ORIGINAL_CONTENT_TYPE.
 */
export function rawBodyFor(fastify: FastifyInstance, paths: readonly string[]): void {
  const routes = new Set(paths);
  fastify.addHook('onRequest', (request, _reply, done) => {
    const path = request.url.split('?', 1)[0];
    if (request.method === 'POST' && routes.has(path)) {
      request.headers[ORIGINAL_CONTENT_TYPE] = request.headers['content-type'] ?? '';
      request.headers['content-type'] = 'application/octet-stream';
    }
    done();
  });
}
