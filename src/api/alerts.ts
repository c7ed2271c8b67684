import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AlertsService } from '../alerts/alerts-service.js';
import { parseAlertmanagerWebhook } from '../domain/alerts/alertmanager-payload.js';
import type { NormalizedAlert } from '../domain/alerts/alert.js';
import { parseGenericAlerts } from '../domain/alerts/generic-payload.js';
import type { PayloadErrors } from '../domain/alerts/payload-errors.js';
import { CasebridgeError } from '../errors.js';
import type { Store } from '../store/db.js';
import { alertsRepo, type AlertStateRow } from '../store/repos/alerts-repo.js';

const AnyBody = Type.Unknown();

/** Ingest needs an `all` API key, a configured `all` user, or an ingest token. */
function ingestSource(request: FastifyRequest): string | undefined {
  const principal = request.principal;
  if (principal?.kind === 'ingest_token') return principal.source ?? undefined;
  if (principal?.role !== 'all')
    throw new CasebridgeError('CB_ERR_FORBIDDEN', 'Unauthorized to ingest alerts');
  return undefined;
}

function refuse(errors: PayloadErrors): never {
  throw new CasebridgeError('CB_ERR_ALERT_INVALID', `Alert payload is invalid: ${errors.describe()}`);
}

function checkSource(alerts: NormalizedAlert[], bound: string | undefined): void {
  const other = bound === undefined ? undefined : alerts.find((alert) => alert.source !== bound);
  if (other) {
    throw new CasebridgeError(
      'CB_ERR_ALERT_SOURCE_MISMATCH',
      `This ingest token may only post alerts of source "${bound}" (got "${other.source}")`,
    );
  }
}

function stateResponse(row: AlertStateRow) {
  return {
    id: row.id,
    route_id: row.route_id,
    correlation_key: row.correlation_key,
    connector_id: row.connector_id,
    source: row.source,
    rule_id: row.rule_id,
    alert_id: row.alert_id,
    alert_status: row.alert_status,
    ticket: {
      status: row.ticket_status,
      key: row.ticket_key,
      generation: row.generation,
      external_id: row.external_id,
      number: row.external_number,
      url: row.external_url,
      target_state: row.target_state,
      closed_at: row.closed_at,
    },
    first_seen_at: row.first_seen_at,
    last_seen_at: row.last_seen_at,
    counts: { fired: row.fired_count, recovered: row.recovered_count, skipped: row.skipped_count },
    last_action: row.last_action,
    last_reason: row.last_reason,
    last_delivery_id: row.last_delivery_id,
    last_delivery_at: row.last_delivery_at,
  };
}

const ListQuery = Type.Object(
  {
    route_id: Type.Optional(Type.String({ minLength: 1 })),
    source: Type.Optional(Type.String({ minLength: 1 })),
    rule_id: Type.Optional(Type.String({ minLength: 1 })),
    connector_id: Type.Optional(Type.String({ minLength: 1 })),
    ticket_status: Type.Optional(
      Type.Union([Type.Literal('none'), Type.Literal('open'), Type.Literal('closed')]),
    ),
    alert_status: Type.Optional(Type.Union([Type.Literal('firing'), Type.Literal('recovered')])),
    page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
    per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 20 })),
  },
  { additionalProperties: false },
);

/** `/api/casebridge/alerts`: ingest (generic and Alertmanager) and the per-key state. */
export function alertRoutes(deps: { alerts: AlertsService; store: Store }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['alerts'];
    // Bodies are checked by the parsers below, which name every bad field at once.
    app.post(
      '/api/casebridge/alerts',
      {
        config: { ingest: true },
        schema: { tags, summary: 'Ingest one alert or a batch (generic shape)', body: AnyBody },
      },
      async (request, reply) => {
        const bound = ingestSource(request);
        const parsed = parseGenericAlerts(request.body, bound);
        if (!parsed.ok) refuse(parsed.errors);
        checkSource(parsed.alerts, bound);
        const results = await deps.alerts.ingest(parsed.alerts);
        return reply.code(202).send({ alerts: results });
      },
    );

    app.post(
      '/api/casebridge/alerts/alertmanager',
      {
        config: { ingest: true },
        schema: { tags, summary: "Ingest Alertmanager's webhook (version 4)", body: AnyBody },
      },
      async (request, reply) => {
        const bound = ingestSource(request);
        const parsed = parseAlertmanagerWebhook(request.body, bound);
        if (!parsed.ok) refuse(parsed.errors);
        const results = await deps.alerts.ingest(parsed.alerts);
        return reply.code(202).send({ alerts: results });
      },
    );

    app.get(
      '/api/casebridge/alerts',
      {
        schema: {
          tags,
          summary: 'List alert states (one per route and correlation key)',
          querystring: ListQuery,
        },
      },
      async (request) => {
        const q = request.query;
        const page = q.page ?? 1;
        const perPage = q.per_page ?? 20;
        const found = await alertsRepo.find(
          deps.store.db,
          {
            ...(q.route_id ? { routeId: q.route_id } : {}),
            ...(q.source ? { source: q.source } : {}),
            ...(q.rule_id ? { ruleId: q.rule_id } : {}),
            ...(q.connector_id ? { connectorId: q.connector_id } : {}),
            ...(q.ticket_status ? { ticketStatus: q.ticket_status } : {}),
            ...(q.alert_status ? { alertStatus: q.alert_status } : {}),
          },
          page,
          perPage,
        );
        return { page, per_page: perPage, total: found.total, data: found.rows.map(stateResponse) };
      },
    );

    app.get(
      '/api/casebridge/alerts/:id',
      {
        schema: {
          tags,
          summary: 'Get one alert state',
          params: Type.Object({ id: Type.String({ minLength: 1 }) }),
        },
      },
      async (request) => {
        const row = await alertsRepo.get(deps.store.db, request.params.id);
        if (!row) throw new CasebridgeError('CB_ERR_NOT_FOUND', `Alert state ${request.params.id} not found`);
        return stateResponse(row);
      },
    );
  };
}
