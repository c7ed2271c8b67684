import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAllRole } from '../http/auth.js';
import type { CasesDeps } from '../cases/cases-deps.js';
import type { CasesService } from '../cases/cases-service.js';
import { PushService } from '../cases/push-service.js';
import { strict, userOf } from './cases-schemas.js';

/** `POST /api/cases/{case_id}/connector/{connector_id}/_push` (§3): the body is ignored, as in Kibana. */
export function casePushRoutes(deps: CasesDeps, cases: CasesService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const push = new PushService(deps, cases);
    app.post(
      '/api/cases/:case_id/connector/:connector_id/_push',
      {
        schema: {
          tags: ['cases'],
          summary: 'Push a case to an external system',
          params: strict({
            case_id: Type.String({ minLength: 1 }),
            connector_id: Type.String({ minLength: 1 }),
          }),
        },
      },
      async (request) => {
        const kase = await cases.get(request.params.case_id, false);
        requireAllRole(request, `Unauthorized to push case with owners: "${kase.owner}"`);
        return push.push(request.params.case_id, request.params.connector_id, userOf(request));
      },
    );
  };
}
