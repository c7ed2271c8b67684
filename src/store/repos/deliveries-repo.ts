import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { Database } from '../database.js';
import type { DeliveryRow } from '../../queue/types.js';

export interface DeliveryFilter {
  status?: string[];
  connectorId?: string;
  key?: string;
  origin?: string;
  /** ISO times on `created_at`, inclusive. */
  since?: string;
  until?: string;
}

type DeliveriesQuery = SelectQueryBuilder<Database, 'deliveries', object>;

function applyFilter(query: DeliveriesQuery, filter: DeliveryFilter): DeliveriesQuery {
  let q = query;
  if (filter.status !== undefined && filter.status.length > 0) q = q.where('status', 'in', filter.status);
  if (filter.connectorId !== undefined) q = q.where('connector_id', '=', filter.connectorId);
  if (filter.key !== undefined) q = q.where('key', '=', filter.key);
  if (filter.origin !== undefined) q = q.where('origin', '=', filter.origin);
  if (filter.since !== undefined) q = q.where('created_at', '>=', filter.since);
  if (filter.until !== undefined) q = q.where('created_at', '<=', filter.until);
  return q;
}

/** Reads and hand-made changes of deliveries; the worker's writes live in src/queue/sql/. */
export const deliveriesRepo = {
  async find(
    db: Kysely<Database>,
    filter: DeliveryFilter,
    page: number,
    perPage: number,
  ): Promise<{ total: number; rows: DeliveryRow[] }> {
    const query = applyFilter(db.selectFrom('deliveries'), filter);
    const [{ n }, rows] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      query
        .selectAll()
        .orderBy('seq', 'desc')
        .limit(perPage)
        .offset((page - 1) * perPage)
        .execute(),
    ]);
    return { total: Number(n), rows: rows as DeliveryRow[] };
  },

  async get(db: Kysely<Database>, id: string): Promise<DeliveryRow | undefined> {
    const row = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return row as DeliveryRow | undefined;
  },

  /** Ids of dead deliveries not yet replayed that match the filter, oldest first. */
  async deadIds(db: Kysely<Database>, filter: DeliveryFilter, limit: number): Promise<string[]> {
    const rows = await applyFilter(db.selectFrom('deliveries'), { ...filter, status: ['dead'] })
      .where('replayed_by', 'is', null)
      .select('id')
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((row) => row.id);
  },

  /** Unfinished deliveries (the figure `actions.queued.max` limits). */
  async countUnfinished(db: Kysely<Database>): Promise<number> {
    const row = await db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', 'in', ['queued', 'running', 'retrying'])
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** queued/retrying → canceled. Returns whether it changed (false: not in a cancelable state). */
  async cancel(db: Kysely<Database>, id: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('deliveries')
      .set({ status: 'canceled', finished_at: now, updated_at: now, last_error: 'canceled by request' })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'retrying'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  /** queued/retrying → due now (a retry that should not wait for its backoff). */
  async runNow(db: Kysely<Database>, id: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('deliveries')
      .set({ run_at: now, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'retrying'])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  /** Links a dead or canceled delivery to its replay; false if someone replayed it first. */
  async markReplayed(db: Kysely<Database>, id: string, replayId: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('deliveries')
      .set({ replayed_by: replayId, updated_at: now })
      .where('id', '=', id)
      .where('status', 'in', ['dead', 'canceled'])
      .where('replayed_by', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },
};
