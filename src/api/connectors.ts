import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ConnectorRecord } from '../actions/connector-record.js';
import type { ActionsService } from '../actions/actions-service.js';
import { findBlankString } from '../actions/connector-validation.js';
import { executeConnector, type ExecutionOutcome } from '../actions/executor.js';
import { CasebridgeError } from '../errors.js';
import { requireAllRole } from '../http/auth.js';

const ConnectorResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  connector_type_id: Type.String(),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  is_preconfigured: Type.Boolean(),
  is_deprecated: Type.Boolean(),
  is_missing_secrets: Type.Optional(Type.Boolean()),
  is_system_action: Type.Boolean(),
  is_connector_type_deprecated: Type.Boolean(),
  referenced_by_count: Type.Optional(Type.Number()),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 255 }) });
const OptionalIdParams = Type.Object({ id: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })) });
const JsonObject = Type.Record(Type.String(), Type.Unknown());

const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    connector_type_id: Type.String({ minLength: 1 }),
    config: Type.Optional(JsonObject),
    secrets: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);

const UpdateBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    config: Type.Optional(JsonObject),
    secrets: Type.Optional(JsonObject),
  },
  { additionalProperties: false },
);

const ExecuteBody = Type.Object({ params: JsonObject }, { additionalProperties: false });

const ExecuteResponse = Type.Object({
  connector_id: Type.String(),
  status: Type.Union([Type.Literal('ok'), Type.Literal('error')]),
  message: Type.Optional(Type.String()),
  service_message: Type.Optional(Type.String()),
  data: Type.Optional(Type.Unknown()),
  retry: Type.Optional(Type.Union([Type.Boolean(), Type.String()])),
  errorSource: Type.Optional(Type.String()),
});

/** Kibana's route-level blank check: names the top-level key and always prints `''`. */
function rejectBlankStrings(body: {
  name: string;
  connector_type_id?: string;
  config?: object;
  secrets?: object;
}): void {
  const blank = (field: string) =>
    new CasebridgeError('CB_ERR_VALIDATION', `[request body.${field}]: value '' is not valid`);
  if (body.name.trim() === '') throw blank('name');
  if (body.connector_type_id !== undefined && body.connector_type_id.trim() === '')
    throw blank('connector_type_id');
  for (const part of ['config', 'secrets'] as const) {
    for (const [key, value] of Object.entries(body[part] ?? {}))
      if (findBlankString(value)) throw blank(`${part}.${key}`);
  }
}

/** The `_execute` body: snake_case, `retry` dates as ISO strings, empty fields omitted (§3.2). */
function toExecuteResponse(result: ExecutionOutcome): Static<typeof ExecuteResponse> {
  return {
    connector_id: result.connectorId,
    status: result.status,
    ...(result.message !== undefined ? { message: result.message } : {}),
    ...(result.serviceMessage ? { service_message: result.serviceMessage } : {}),
    ...(result.data !== undefined ? { data: result.data } : {}),
    ...(result.retry !== undefined
      ? { retry: result.retry instanceof Date ? result.retry.toISOString() : result.retry }
      : {}),
    ...(result.errorSource !== undefined ? { errorSource: result.errorSource } : {}),
  };
}

/** Kibana-compatible connector routes (actions-framework.md §2). */
export function connectorRoutes(actions: ActionsService): FastifyPluginAsyncTypebox {
  /** Kibana's execute check: the 403 names the type when the connector exists. */
  async function findForExecute(request: FastifyRequest, id: string) {
    const record = await actions.findRecord(id);
    requireAllRole(
      request,
      record ? `Unauthorized to execute a "${record.typeId}" action` : 'Unauthorized to execute actions',
    );
    return record;
  }

  /** Runs the connector for this request; a client that hangs up aborts the outbound call. */
  async function runNow(
    request: FastifyRequest,
    id: string,
    record: ConnectorRecord | undefined,
    params: Record<string, unknown>,
  ): Promise<Static<typeof ExecuteResponse>> {
    const controller = new AbortController();
    request.raw.once('close', () => {
      if (!request.raw.complete) controller.abort();
    });
    const result = await executeConnector(actions, id, params, {
      source: 'http_request',
      user: request.principal?.name,
      signal: controller.signal,
      ...(record ? { record } : {}),
    });
    return toExecuteResponse(result);
  }

  return async (app) => {
    // Inline, not app.addSchema(): a schema added inside a plugin gives that plugin a fresh
    // schema controller, which silently drops our strict validator compiler.
    const connectorRef = ConnectorResponse;
    const tags = ['connectors'];

    app.post(
      '/api/actions/connector/:id?',
      {
        schema: {
          tags,
          summary: 'Create a connector',
          params: OptionalIdParams,
          body: CreateBody,
          response: { 200: connectorRef },
        },
      },
      async (request) => {
        const body = request.body;
        rejectBlankStrings(body);
        requireAllRole(request, `Unauthorized to create a "${body.connector_type_id}" action`);
        return actions.create(request.params.id, body.connector_type_id, {
          name: body.name,
          config: body.config ?? {},
          secrets: body.secrets ?? {},
        });
      },
    );

    app.get(
      '/api/actions/connector/:id',
      { schema: { tags, summary: 'Get a connector', params: IdParams, response: { 200: connectorRef } } },
      async (request) => actions.get(request.params.id),
    );

    app.get(
      '/api/actions/connectors',
      { schema: { tags, summary: 'List connectors', response: { 200: Type.Array(connectorRef) } } },
      async () => actions.list(),
    );

    app.put(
      '/api/actions/connector/:id',
      {
        schema: {
          tags,
          summary: 'Update a connector',
          params: IdParams,
          body: UpdateBody,
          response: { 200: connectorRef },
        },
      },
      async (request) => {
        rejectBlankStrings(request.body);
        requireAllRole(request, 'Unauthorized to update actions');
        const { name, config, secrets } = request.body;
        return actions.update(request.params.id, { name, config: config ?? {}, secrets: secrets ?? {} });
      },
    );

    app.delete(
      '/api/actions/connector/:id',
      { schema: { tags, summary: 'Delete a connector', params: IdParams } },
      async (request, reply) => {
        requireAllRole(request, 'Unauthorized to delete actions');
        await actions.delete(request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/api/actions/connector/:id/_execute',
      {
        schema: {
          tags,
          summary: 'Run a connector now',
          params: IdParams,
          body: ExecuteBody,
          response: { 200: ExecuteResponse },
        },
      },
      async (request) => {
        const record = await findForExecute(request, request.params.id);
        return runNow(request, request.params.id, record, request.body.params);
      },
    );

    // casebridge addition: a run with the type's harmless test params (handshake, empty body).
    app.post(
      '/api/casebridge/connectors/:id/_test',
      {
        schema: {
          tags,
          summary: 'Test a connector against its target',
          params: IdParams,
          response: { 200: ExecuteResponse },
        },
      },
      async (request) => {
        const record = await findForExecute(request, request.params.id);
        const params = record ? (actions.deps.registry.get(record.typeId)?.testParams ?? {}) : {};
        return runNow(request, request.params.id, record, params);
      },
    );

    app.get(
      '/api/actions/connector_types',
      {
        schema: {
          tags,
          summary: 'List connector types',
          querystring: Type.Object({ feature_id: Type.Optional(Type.String({ maxLength: 100 })) }),
        },
      },
      async (request) => actions.listTypes(request.query.feature_id),
    );
  };
}
