import type { Kysely } from 'kysely';
import type { AlertDeliveriesTable, AlertStatesTable, Database } from '../database.js';

export type AlertStateRow = AlertStatesTable;

export interface AlertStateFilter {
  routeId?: string;
  source?: string;
  ruleId?: string;
  ticketStatus?: string;
  alertStatus?: string;
  connectorId?: string;
}

export const alertsRepo = {
  getByHash(db: Kysely<Database>, keyHash: string): Promise<AlertStateRow | undefined> {
    return db.selectFrom('alert_states').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
  },

  get(db: Kysely<Database>, id: string): Promise<AlertStateRow | undefined> {
    return db.selectFrom('alert_states').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** False when another writer stored the same key first (the caller plans again). */
  async insert(db: Kysely<Database>, row: AlertStateRow): Promise<boolean> {
    const result = await db
      .insertInto('alert_states')
      .values(row)
      .onConflict((oc) => oc.column('key_hash').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  },

  /** Writes only if the row is still at `expectedVersion` (optimistic concurrency); false otherwise. */
  async update(db: Kysely<Database>, row: AlertStateRow, expectedVersion: number): Promise<boolean> {
    const { id, ...rest } = row;
    const result = await db
      .updateTable('alert_states')
      .set(rest)
      .where('id', '=', id)
      .where('version', '=', expectedVersion)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  async find(db: Kysely<Database>, filter: AlertStateFilter, page: number, perPage: number) {
    let query = db.selectFrom('alert_states');
    if (filter.routeId !== undefined) query = query.where('route_id', '=', filter.routeId);
    if (filter.source !== undefined) query = query.where('source', '=', filter.source);
    if (filter.ruleId !== undefined) query = query.where('rule_id', '=', filter.ruleId);
    if (filter.ticketStatus !== undefined) query = query.where('ticket_status', '=', filter.ticketStatus);
    if (filter.alertStatus !== undefined) query = query.where('alert_status', '=', filter.alertStatus);
    if (filter.connectorId !== undefined) query = query.where('connector_id', '=', filter.connectorId);
    const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await query
      .selectAll()
      .orderBy('last_seen_at', 'desc')
      .orderBy('id')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    return { total: Number(total.n), rows };
  },

  async linkDelivery(db: Kysely<Database>, link: AlertDeliveriesTable): Promise<void> {
    await db.insertInto('alert_deliveries').values(link).execute();
  },

  findLink(db: Kysely<Database>, deliveryId: string): Promise<AlertDeliveriesTable | undefined> {
    return db
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .executeTakeFirst();
  },

  /** Records what the target said about the ticket, for the generation it was made for. */
  async recordTicket(
    db: Kysely<Database>,
    stateId: string,
    generation: number,
    ticket: { externalId: string | null; number: string | null; url: string | null },
  ): Promise<void> {
    await db
      .updateTable('alert_states')
      .set((eb) => ({
        external_id: ticket.externalId,
        external_number: ticket.number,
        external_url: ticket.url,
        version: eb('version', '+', 1),
      }))
      .where('id', '=', stateId)
      .where('generation', '=', generation)
      .execute();
  },
};
