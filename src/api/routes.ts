import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RoutesService } from '../alerts/routes-service.js';
import { RouteDefinition } from '../config/routes-schema.js';
import { requireAllRole } from '../http/auth.js';

const IdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }) });
const OptionalIdParams = Type.Object({
  id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' })),
});

/** `/api/casebridge/routes`: alert routes (config-file routes are listed, read-only). */
export function alertRouteRoutes(routes: RoutesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['routes'];
    app.post(
      '/api/casebridge/routes/:id?',
      { schema: { tags, summary: 'Create an alert route', params: OptionalIdParams, body: RouteDefinition } },
      async (request) => {
        requireAllRole(request, 'Unauthorized to create routes');
        return routes.create(request.params.id, request.body);
      },
    );
    app.get(
      '/api/casebridge/routes',
      { schema: { tags, summary: 'List alert routes in evaluation order' } },
      async () => routes.list(),
    );
    app.get(
      '/api/casebridge/routes/:id',
      { schema: { tags, summary: 'Get an alert route', params: IdParams } },
      async (request) => routes.get(request.params.id),
    );
    app.put(
      '/api/casebridge/routes/:id',
      { schema: { tags, summary: 'Replace an alert route', params: IdParams, body: RouteDefinition } },
      async (request) => {
        requireAllRole(request, 'Unauthorized to update routes');
        return routes.update(request.params.id, request.body);
      },
    );
    app.delete(
      '/api/casebridge/routes/:id',
      { schema: { tags, summary: 'Delete an alert route', params: IdParams } },
      async (request, reply) => {
        requireAllRole(request, 'Unauthorized to delete routes');
        await routes.remove(request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
