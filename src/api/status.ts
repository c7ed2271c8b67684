import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Metrics } from '../metrics.js';
import { pingStore, type Store } from '../store/db.js';
import { version } from '../version.js';

/** Health (public, for load balancers), Prometheus metrics and the OpenAPI document. */
export function statusRoutes(store: Store, metrics: Metrics): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/status',
      { config: { public: true }, schema: { tags: ['status'], summary: 'Health' } },
      async (_request, reply) => {
        try {
          await pingStore(store);
          return {
            status: { overall: { level: 'available' } },
            version: { number: version },
            database: store.dialect,
          };
        } catch {
          return reply
            .code(503)
            .send({ status: { overall: { level: 'unavailable' } }, version: { number: version } });
        }
      },
    );

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });

    app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
