import { randomUUID } from 'node:crypto';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Logger } from 'pino';
import { CasebridgeError } from '../errors.js';
import { alertView, type NormalizedAlert } from '../domain/alerts/alert.js';
import { fitKey, stateHash, ticketKey } from '../domain/alerts/correlation-key.js';
import { decide, type Decision, type TicketState } from '../domain/alerts/lifecycle.js';
import { matchesAll } from '../domain/alerts/matchers.js';
import { prepare, renderObject, renderString } from '../domain/templates/render.js';
import type { DeliveryQueue } from '../queue/delivery-queue.js';
import { enqueueDelivery, type NewDelivery } from '../queue/enqueue.js';
import type { Store } from '../store/db.js';
import type { Database } from '../store/database.js';
import { alertsRepo, type AlertStateRow } from '../store/repos/alerts-repo.js';
import type { CompiledRoute } from './compiled-route.js';
import type { RoutesService } from './routes-service.js';
import { templateVariables } from './template-variables.js';

/** What one route did with one alert, as the 202 answer reports it. */
export interface RouteOutcome {
  route_id: string;
  correlation_key: string;
  action: string;
  reason: string;
  delivery_id: string | null;
  state_id: string;
}

export interface IngestResult {
  alert_id: string;
  status: string;
  routes: RouteOutcome[];
}

interface Plan {
  alert: NormalizedAlert;
  route: CompiledRoute;
  key: string;
  keyHash: string;
  existing: AlertStateRow | undefined;
  decision: Decision;
  delivery: NewDelivery | undefined;
  ticketKey: string;
}

/** A state row changed between planning and writing; the whole request plans again. */
class StalePlan extends Error {}

/**
 * Serialises writers of the same keys until the transaction ends (PostgreSQL advisory locks, in
 * sorted order so two requests cannot deadlock). SQLite needs none: its one connection already
 * runs one transaction at a time, and planning inside it reads through it.
 */
async function lockKeys(trx: Kysely<Database>, keyHashes: string[]): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  for (const hash of keyHashes) {
    // 60 bits of the SHA-256 key hash fit a bigint lock id.
    await sql`select pg_advisory_xact_lock(${BigInt(`0x${hash.slice(0, 15)}`).toString()}::bigint)`.execute(
      trx,
    );
  }
}

const MAX_PLANNING_ROUNDS = 5;

function toTicketState(row: AlertStateRow | undefined): TicketState | undefined {
  if (!row) return undefined;
  return {
    ticketStatus: row.ticket_status as TicketState['ticketStatus'],
    generation: row.generation,
    closedAt: row.closed_at,
    lastDeliveryAt: row.last_delivery_at,
    targetState: row.target_state,
  };
}

/**
 * Turns posted alerts into state changes and deliveries. Planning (matching, rendering, checking
 * params against the connector type) happens before the transaction, because on SQLite a read
 * outside the transaction would wait for it; the transaction then re-checks each state's version
 * and writes states, links and deliveries together, or plans again if another request won.
 */
export class AlertsService {
  constructor(
    private readonly deps: {
      store: Store;
      queue: DeliveryQueue;
      routes: RoutesService;
      logger: Logger;
      publicBaseUrl?: string;
    },
  ) {}

  async ingest(alerts: NormalizedAlert[]): Promise<IngestResult[]> {
    const { db } = this.deps.store;
    let plans = await this.plan(alerts, db);
    for (let round = 1; ; round += 1) {
      try {
        if (round === 1) return await db.transaction().execute((trx) => this.write(trx, alerts, plans));
        // Lost a race for a key: optimistic retries alone can starve under a burst for one key
        // (measured: 8 concurrent requests on PostgreSQL, 3 gave up), so later rounds lock the
        // keys and plan inside the transaction, where nobody else holding the lock can interleave.
        const keys = [...new Set(plans.flat().map((plan) => plan.keyHash))].sort();
        return await db.transaction().execute(async (trx) => {
          await lockKeys(trx, keys);
          plans = await this.plan(alerts, trx);
          return this.write(trx, alerts, plans);
        });
      } catch (error) {
        if (!(error instanceof StalePlan) || round >= MAX_PLANNING_ROUNDS) throw error;
      }
    }
  }

  private async plan(alerts: NormalizedAlert[], db: Kysely<Database>): Promise<Plan[][]> {
    const routes = await this.deps.routes.active();
    const plans: Plan[][] = [];
    // Two alerts of one batch may share a key: the later one plans on the earlier one's outcome.
    const planned = new Map<string, AlertStateRow | undefined>();
    for (const alert of alerts) {
      const view = alertView(alert);
      const alertPlans: Plan[] = [];
      for (const route of routes) {
        if (!matchesAll(route.matchers, view)) continue;
        alertPlans.push(await this.planOne(alert, route, planned, db));
        if (!route.continue) break;
      }
      plans.push(alertPlans);
    }
    return plans;
  }

  private async planOne(
    alert: NormalizedAlert,
    route: CompiledRoute,
    planned: Map<string, AlertStateRow | undefined>,
    db: Kysely<Database>,
  ): Promise<Plan> {
    const baseVariables = prepare(templateVariables(alert, { publicBaseUrl: this.deps.publicBaseUrl }));
    const key = renderString(route.correlationKey, baseVariables);
    const keyHash = stateHash(route.id, key);
    const existing = planned.has(keyHash) ? planned.get(keyHash) : await alertsRepo.getByHash(db, keyHash);
    const now = new Date();
    let decision = decide(route.policy, toTicketState(existing), alert.status, now);
    let delivery: NewDelivery | undefined;
    const { capabilities } = route;
    const generation = decision.kind === 'deliver' ? decision.generation : (existing?.generation ?? 0);
    const ticket = ticketKey(key, capabilities.keyPerGeneration ? generation : 1, capabilities.maxKeyLength);
    if (decision.kind === 'deliver') {
      const lifecycle = { action: decision.action, key, ticket_key: ticket, generation };
      const variables = prepare(
        templateVariables(alert, { publicBaseUrl: this.deps.publicBaseUrl, lifecycle }),
      );
      const onError = (message: string) =>
        this.deps.logger.warn({ route: route.id }, `mustache render error: ${message}`);
      const rendered = renderObject(route.params, variables, { escapeFor: capabilities.escapeFor, onError });
      const sameTicket = decision.action !== 'create' && existing?.generation === generation;
      const params = capabilities.build({
        action: decision.action,
        rendered,
        ticketKey: ticket,
        externalId: sameTicket ? (existing?.external_id ?? null) : null,
        recovery: route.recovery,
        comment: renderString(route.recoveryComment, variables, { onError }),
      });
      if (params === undefined) {
        // The ticket's create has not reported its id yet: fold this change into it.
        decision = { kind: 'skip', reason: 'coalesced' };
      } else {
        delivery = await this.deps.queue
          .prepare({ connectorId: route.connectorId, params, key: `alert:${keyHash}`, origin: 'alert' }, db)
          .catch((error: unknown) => {
            if (error instanceof CasebridgeError) {
              throw new CasebridgeError(
                error.code,
                `Route ${route.id} rendered params the connector refuses: ${error.message}`,
              );
            }
            throw error;
          });
      }
    }
    const plan: Plan = { alert, route, key, keyHash, existing, decision, delivery, ticketKey: ticket };
    planned.set(keyHash, this.nextState(plan, randomUUID(), now, existing?.id ?? randomUUID()));
    return plan;
  }

  /** The state row after this plan; `deliveryId` is the delivery it will cause, if any. */
  private nextState(plan: Plan, deliveryId: string, now: Date, stateId: string): AlertStateRow {
    const { alert, route, existing, decision } = plan;
    const at = now.toISOString();
    const delivered = decision.kind === 'deliver' && plan.delivery !== undefined;
    const base: AlertStateRow = existing ?? {
      id: stateId,
      key_hash: plan.keyHash,
      route_id: route.id,
      correlation_key: plan.key,
      connector_id: route.connectorId,
      source: alert.source,
      rule_id: alert.rule.id,
      alert_id: alert.alert.id,
      alert_status: alert.status,
      ticket_status: 'none',
      ticket_key: null,
      generation: 0,
      external_id: null,
      external_number: null,
      external_url: null,
      target_state: null,
      first_seen_at: at,
      last_seen_at: at,
      fired_count: 0,
      recovered_count: 0,
      skipped_count: 0,
      closed_at: null,
      last_action: null,
      last_reason: null,
      last_delivery_id: null,
      last_delivery_at: null,
      last_alert: '{}',
      version: 0,
    };
    const next: AlertStateRow = {
      ...base,
      alert_status: alert.status,
      last_seen_at: at,
      fired_count: base.fired_count + (alert.status === 'firing' ? 1 : 0),
      recovered_count: base.recovered_count + (alert.status === 'recovered' ? 1 : 0),
      last_alert: JSON.stringify(alert),
      version: base.version + 1,
    };
    if (!delivered || decision.kind !== 'deliver') {
      return {
        ...next,
        skipped_count: base.skipped_count + 1,
        last_action: 'none',
        last_reason: decision.kind === 'skip' ? decision.reason : 'skipped',
      };
    }
    const newTicket = decision.generation !== base.generation;
    return {
      ...next,
      ticket_status: decision.ticketStatus,
      generation: decision.generation,
      ticket_key: plan.ticketKey,
      ...(newTicket
        ? { external_id: null, external_number: null, external_url: null, target_state: null }
        : {}),
      closed_at:
        decision.ticketStatus === 'closed' ? (decision.action === 'update' ? base.closed_at : at) : null,
      last_action: decision.action,
      last_reason: decision.reason,
      last_delivery_id: deliveryId,
      last_delivery_at: at,
    };
  }

  private async write(
    trx: Kysely<Database>,
    alerts: NormalizedAlert[],
    plans: Plan[][],
  ): Promise<IngestResult[]> {
    const results: IngestResult[] = [];
    const written = new Map<string, AlertStateRow>();
    // Back-pressure before anything is written: a 429 rolls the whole request back.
    const adding = plans.flat().filter((plan) => plan.delivery !== undefined).length;
    if (adding > 0) await this.deps.queue.reserveRoom(adding, trx);
    for (const [index, alert] of alerts.entries()) {
      const outcomes: RouteOutcome[] = [];
      for (const plan of plans[index] ?? []) {
        // No re-read: the update is conditional on the planned version and the insert on the key
        // being new, so a row another writer changed since planning fails the write (StalePlan).
        const before = written.get(plan.keyHash) ?? plan.existing;
        const now = new Date();
        let deliveryId: string | null = null;
        if (plan.delivery) deliveryId = (await enqueueDelivery(trx, plan.delivery)).id;
        const next = this.nextState(
          { ...plan, existing: before },
          deliveryId ?? '',
          now,
          before?.id ?? randomUUID(),
        );
        const stored = before
          ? await alertsRepo.update(trx, next, before.version)
          : await alertsRepo.insert(trx, next);
        if (!stored) throw new StalePlan();
        if (deliveryId !== null && plan.decision.kind === 'deliver') {
          await alertsRepo.linkDelivery(trx, {
            delivery_id: deliveryId,
            state_id: next.id,
            action: plan.decision.action,
            generation: next.generation,
            created_at: now.toISOString(),
          });
        }
        written.set(plan.keyHash, next);
        outcomes.push({
          route_id: plan.route.id,
          correlation_key: fitKey(plan.key, 1024),
          action: plan.decision.kind === 'deliver' && deliveryId !== null ? plan.decision.action : 'none',
          reason: plan.decision.kind === 'deliver' ? plan.decision.reason : plan.decision.reason,
          delivery_id: deliveryId,
          state_id: next.id,
        });
      }
      results.push({
        alert_id: `${alert.rule.id}:${alert.alert.id}`,
        status: alert.status,
        routes: outcomes,
      });
    }
    return results;
  }
}
