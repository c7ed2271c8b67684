import { randomUUID } from 'node:crypto';
import { PostgresAdapter, sql, type Insertable, type Kysely } from 'kysely';
import type { Database, DeliveriesTable } from '../store/database.js';
import type { DeliveryOrigin } from './types.js';
import { newWorkSignal } from './wake.js';

/** A delivery ready to store: validated and with its attempts decided (see `DeliveryQueue.prepare`). */
export interface NewDelivery {
  connectorId: string;
  params: Record<string, unknown>;
  /** Deliveries sharing a key run one at a time, in enqueue order (e.g. one case's pushes). */
  key?: string | null;
  /** The same idempotency key twice yields the first delivery, not a second one. */
  idempotencyKey?: string | null;
  origin: DeliveryOrigin;
  maxAttempts: number;
  /** Not before this time; now when absent. */
  runAt?: Date;
  replayOf?: string;
}

export interface EnqueueResult {
  id: string;
  /** False when the idempotency key matched an existing delivery. */
  created: boolean;
}

/** The row of a new delivery (also used by enqueue-many.ts for multi-row inserts). */
export function deliveryRow(input: NewDelivery, id: string, now: string): Insertable<DeliveriesTable> {
  return {
    id,
    connector_id: input.connectorId,
    sub_action: typeof input.params.subAction === 'string' ? input.params.subAction : null,
    params: JSON.stringify(input.params),
    key: input.key ?? null,
    idempotency_key: input.idempotencyKey ?? null,
    origin: input.origin,
    status: 'queued',
    attempts: 0,
    max_attempts: input.maxAttempts,
    run_at: input.runAt?.toISOString() ?? now,
    attempt_log: '[]',
    replay_of: input.replayOf ?? null,
    created_at: now,
    updated_at: now,
  };
}

/**
 * Writes a delivery inside the caller's transaction, so it exists exactly when the change that
 * causes it (a case update, an alert) commits: a rollback leaves nothing queued, and a crash
 * after commit cannot lose it. Pass `db` itself when there is no surrounding change.
 *
 * On PostgreSQL it also queues a NOTIFY (in the insert itself), which PostgreSQL delivers only at commit, so listening
 * workers wake for committed work and never for rolled-back work.
 *
 * @example
 *   await db.transaction().execute(async (trx) => {
 *     await casesRepo.update(trx, …);
 *     await enqueueDelivery(trx, { connectorId, params, key: `case:${caseId}`, origin: 'case_push', maxAttempts: 3 });
 *   });
 */
export async function enqueueDelivery(trx: Kysely<Database>, input: NewDelivery): Promise<EnqueueResult> {
  const id = randomUUID();
  const postgres = trx.getExecutor().adapter instanceof PostgresAdapter;
  const insert = trx
    .insertInto('deliveries')
    .values(deliveryRow(input, id, new Date().toISOString()))
    // A conflict can only be the idempotency key (ids are fresh UUIDs). On PostgreSQL a
    // concurrent insert of the same key waits for the other transaction, then lands here.
    .onConflict((oc) => oc.column('idempotency_key').doNothing());
  // On PostgreSQL the NOTIFY rides in the RETURNING of the insert: it is queued only when a row
  // was inserted, and an enqueue without a caller's transaction stays one statement and one
  // commit (it was two autocommits, each a WAL flush: ~2x the enqueue cost under load).
  const inserted = postgres
    ? await insert
        .returning(['id', sql<string>`pg_notify('casebridge_deliveries_' || current_schema(), '')`.as('n')])
        .executeTakeFirst()
    : await insert.returning('id').executeTakeFirst();

  if (!inserted) {
    const existing = await trx
      .selectFrom('deliveries')
      .select('id')
      .where('idempotency_key', '=', input.idempotencyKey ?? '')
      .executeTakeFirstOrThrow();
    return { id: existing.id, created: false };
  }
  newWorkSignal.emit('work');
  return { id, created: true };
}
