import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireAllRole } from '../http/auth.js';
import type { CasesDeps } from '../cases/cases-deps.js';
import { ConfigureService } from '../cases/configure-service.js';
import { CaseConnector, ClosureType, StringList, SyncMode, oneOf, strict, userOf } from './cases-schemas.js';

const CustomFieldDefinition = strict({
  key: Type.String({ minLength: 1, maxLength: 36, pattern: '^[a-z0-9_-]+$' }),
  label: Type.String({ minLength: 1, maxLength: 50 }),
  type: oneOf(['text', 'toggle', 'number'] as const),
  required: Type.Boolean(),
  defaultValue: Type.Optional(Type.Union([Type.String(), Type.Boolean(), Type.Number(), Type.Null()])),
});

const Template = Type.Record(Type.String(), Type.Unknown());

const optionalFields = {
  customFields: Type.Optional(Type.Array(CustomFieldDefinition)),
  templates: Type.Optional(Type.Array(Template, { maxItems: 10 })),
  sync: Type.Optional(SyncMode),
};

/** `GET|POST /api/cases/configure`, `PATCH /api/cases/configure/{id}`, and the cases connectors list (§2). */
export function caseConfigureRoutes(deps: CasesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const configure = new ConfigureService(deps);
    const tags = ['cases'];

    app.get(
      '/api/cases/configure',
      { schema: { tags, summary: 'Get cases settings', querystring: strict({ owner: StringList }) } },
      async (request) => configure.list(request.query.owner ?? []),
    );

    app.post(
      '/api/cases/configure',
      {
        schema: {
          tags,
          summary: 'Create cases settings for an owner',
          body: strict({
            connector: CaseConnector,
            closure_type: ClosureType,
            owner: Type.String(),
            ...optionalFields,
          }),
        },
      },
      async (request) => {
        requireAllRole(
          request,
          `Unauthorized to create case configuration with owners: "${request.body.owner}"`,
        );
        return configure.create(request.body, userOf(request));
      },
    );

    app.patch(
      '/api/cases/configure/:configuration_id',
      {
        schema: {
          tags,
          summary: 'Update cases settings',
          params: strict({ configuration_id: Type.String({ minLength: 1 }) }),
          body: strict({
            version: Type.String({ minLength: 1 }),
            connector: Type.Optional(CaseConnector),
            closure_type: Type.Optional(ClosureType),
            ...optionalFields,
          }),
        },
      },
      async (request) => {
        requireAllRole(request, 'Unauthorized to update case configuration');
        const { version, ...changes } = request.body;
        return configure.update(request.params.configuration_id, version, changes, userOf(request));
      },
    );

    app.get(
      '/api/cases/configure/connectors/_find',
      { schema: { tags, summary: 'Connectors that can receive cases' } },
      async () => configure.connectors(),
    );
  };
}
