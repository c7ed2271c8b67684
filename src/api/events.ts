import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { EventLog } from '../actions/event-log.js';

const EventsQuery = Type.Object(
  {
    connector_id: Type.Optional(Type.String({ minLength: 1 })),
    connector_type_id: Type.Optional(Type.String({ minLength: 1 })),
    outcome: Type.Optional(Type.Union([Type.Literal('success'), Type.Literal('failure')])),
    sub_action: Type.Optional(Type.String({ minLength: 1 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    page: Type.Integer({ minimum: 1, default: 1 }),
    per_page: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  },
  { additionalProperties: false },
);

/** `GET /api/casebridge/events`: the execution history, newest first. */
export function eventRoutes(events: EventLog): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/api/casebridge/events',
      { schema: { tags: ['events'], summary: 'List connector executions', querystring: EventsQuery } },
      async (request) => {
        const q = request.query;
        const { total, rows } = await events.find({
          ...(q.connector_id !== undefined ? { connectorId: q.connector_id } : {}),
          ...(q.connector_type_id !== undefined ? { typeId: q.connector_type_id } : {}),
          ...(q.outcome !== undefined ? { outcome: q.outcome } : {}),
          ...(q.sub_action !== undefined ? { subAction: q.sub_action } : {}),
          ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
          ...(q.until !== undefined ? { until: new Date(q.until).toISOString() } : {}),
          page: q.page,
          perPage: q.per_page,
        });
        return {
          page: q.page,
          per_page: q.per_page,
          total,
          data: rows.map((row) => ({
            id: row.id,
            '@timestamp': row.at,
            connector_id: row.connector_id,
            connector_name: row.connector_name,
            connector_type_id: row.type_id,
            sub_action: row.sub_action,
            source: row.source,
            outcome: row.outcome,
            message: row.message,
            error_message: row.error_message,
            retry: row.retry,
            duration_ms: row.duration_ms,
            user: row.user_name,
          })),
        };
      },
    );
  };
}
