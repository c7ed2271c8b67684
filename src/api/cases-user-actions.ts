import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { CasesDeps } from '../cases/cases-deps.js';
import { UserActionsService } from '../cases/user-actions-service.js';
import { CaseIdParams, SortOrder, StringList, strict } from './cases-schemas.js';

/** A case's history (§1.10) and the per-connector push view (§3.8). */
export function caseUserActionRoutes(deps: CasesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const userActions = new UserActionsService(deps);
    const tags = ['cases'];

    app.get(
      '/api/cases/:case_id/user_actions/_find',
      {
        schema: {
          tags,
          summary: 'Find user actions of a case',
          params: CaseIdParams,
          querystring: strict({
            types: StringList,
            sortOrder: Type.Optional(SortOrder),
            page: Type.Integer({ minimum: 1, default: 1 }),
            perPage: Type.Integer({ minimum: 1, default: 20 }),
          }),
        },
      },
      async (request) =>
        userActions.find(request.params.case_id, {
          ...(request.query.types ? { types: request.query.types } : {}),
          sortOrder: request.query.sortOrder ?? 'asc',
          page: request.query.page,
          perPage: request.query.perPage,
        }),
    );

    app.get(
      '/api/cases/:case_id/user_actions',
      { schema: { tags, summary: 'List user actions of a case (deprecated)', params: CaseIdParams } },
      async (request) => userActions.list(request.params.case_id),
    );

    app.get(
      '/internal/cases/:case_id/_connectors',
      { schema: { tags, summary: 'Push state per connector of a case', params: CaseIdParams } },
      async (request) => userActions.connectors(request.params.case_id),
    );
  };
}
