import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { CasebridgeError } from '../errors.js';
import { requireAllRole } from '../http/auth.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { deliveryOrigins, deliveryStatuses, type AttemptRecord, type DeliveryRow } from '../queue/types.js';
import type { DeliveryFilter } from '../store/repos/deliveries-repo.js';

// Same rule as deliveryKeyPattern (src/queue/types.ts), as JSON Schema for the route.
const KeyString = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,255}$' });
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Origin = Type.Union(deliveryOrigins.map((origin) => Type.Literal(origin)));

const EnqueueBody = Type.Object(
  {
    connector_id: Type.String({ minLength: 1, maxLength: 255 }),
    params: Type.Record(Type.String(), Type.Unknown()),
    key: Type.Optional(KeyString),
    idempotency_key: Type.Optional(KeyString),
  },
  { additionalProperties: false },
);

const FilterFields = {
  connector_id: Type.Optional(Type.String({ minLength: 1 })),
  key: Type.Optional(Type.String({ minLength: 1 })),
  origin: Type.Optional(Origin),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
};

const ListQuery = Type.Object(
  {
    ...FilterFields,
    // `status=dead` or `status=queued,retrying`: one parameter, comma-separated.
    status: Type.Optional(
      Type.String({ pattern: `^(${deliveryStatuses.join('|')})(,(${deliveryStatuses.join('|')}))*$` }),
    ),
    page: Type.Integer({ minimum: 1, default: 1 }),
    per_page: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

const BulkRetryBody = Type.Object(
  { ...FilterFields, limit: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }) },
  { additionalProperties: false },
);

function toFilter(q: {
  connector_id?: string;
  key?: string;
  origin?: string;
  since?: string;
  until?: string;
  status?: string;
}): DeliveryFilter {
  return {
    ...(q.status !== undefined ? { status: q.status.split(',') } : {}),
    ...(q.connector_id !== undefined ? { connectorId: q.connector_id } : {}),
    ...(q.key !== undefined ? { key: q.key } : {}),
    ...(q.origin !== undefined ? { origin: q.origin } : {}),
    ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
    ...(q.until !== undefined ? { until: new Date(q.until).toISOString() } : {}),
  };
}

/** The public shape (snake_case like the rest of the API); `attempt_log` only on the single read. */
function toSummary(row: DeliveryRow) {
  return {
    id: row.id,
    connector_id: row.connector_id,
    sub_action: row.sub_action,
    status: row.status,
    key: row.key,
    idempotency_key: row.idempotency_key,
    origin: row.origin,
    attempts: row.attempts,
    max_attempts: row.max_attempts,
    run_at: row.run_at,
    lease_expires_at: row.locked_until,
    worker: row.locked_by,
    last_error: row.last_error,
    replay_of: row.replay_of,
    replayed_by: row.replayed_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    finished_at: row.finished_at,
  };
}

function toDetail(row: DeliveryRow) {
  return {
    ...toSummary(row),
    params: JSON.parse(row.params) as Record<string, unknown>,
    attempt_log: JSON.parse(row.attempt_log) as AttemptRecord[],
  };
}

const writeDenied = 'Unauthorized to manage deliveries';

/** `/api/casebridge/deliveries`: enqueue, inspect, retry, cancel, replay dead letters. */
export function deliveryRoutes(queue: DeliveryQueue): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/api/casebridge/deliveries',
      { schema: { tags: ['deliveries'], summary: 'Queue a connector run', body: EnqueueBody } },
      async (request, reply) => {
        requireAllRole(request, writeDenied);
        const body = request.body;
        const result = await queue.enqueue({
          connectorId: body.connector_id,
          params: body.params,
          origin: 'api',
          ...(body.key !== undefined ? { key: body.key } : {}),
          ...(body.idempotency_key !== undefined ? { idempotencyKey: body.idempotency_key } : {}),
        });
        return reply.code(202).send({ id: result.id, created: result.created });
      },
    );

    app.get(
      '/api/casebridge/deliveries',
      { schema: { tags: ['deliveries'], summary: 'List deliveries, newest first', querystring: ListQuery } },
      async (request) => {
        const q = request.query;
        const { total, rows } = await queue.list(toFilter(q), q.page, q.per_page);
        return { page: q.page, per_page: q.per_page, total, data: rows.map(toSummary) };
      },
    );

    app.get(
      '/api/casebridge/deliveries/:id',
      { schema: { tags: ['deliveries'], summary: 'A delivery with every attempt', params: IdParams } },
      async (request) => {
        const row = await queue.get(request.params.id);
        if (!row) throw new CasebridgeError('CB_ERR_NOT_FOUND', `Delivery ${request.params.id} not found`);
        return toDetail(row);
      },
    );

    app.post(
      '/api/casebridge/deliveries/:id/_retry',
      { schema: { tags: ['deliveries'], summary: 'Run now, or replay a dead delivery', params: IdParams } },
      async (request, reply) => {
        requireAllRole(request, writeDenied);
        const result = await queue.retry(request.params.id);
        return reply.code(202).send(result);
      },
    );

    app.post(
      '/api/casebridge/deliveries/:id/_cancel',
      { schema: { tags: ['deliveries'], summary: 'Cancel a waiting delivery', params: IdParams } },
      async (request) => {
        requireAllRole(request, writeDenied);
        await queue.cancel(request.params.id);
        return { id: request.params.id, status: 'canceled' };
      },
    );

    app.post(
      '/api/casebridge/deliveries/_bulk_retry',
      {
        schema: {
          tags: ['deliveries'],
          summary: 'Replay dead deliveries matching a filter',
          body: BulkRetryBody,
        },
      },
      async (request, reply) => {
        requireAllRole(request, writeDenied);
        const ids = await queue.retryDead(toFilter(request.body), request.body.limit);
        return reply.code(202).send({ retried: ids.length, ids });
      },
    );
  };
}
