import type { Kysely } from 'kysely';
import type { Database, EventsTable } from '../database.js';

export type EventRow = EventsTable;

export interface EventFilter {
  connectorId?: string;
  typeId?: string;
  outcome?: 'success' | 'failure';
  subAction?: string;
  /** ISO timestamps, inclusive. */
  since?: string;
  until?: string;
  page: number;
  perPage: number;
}

/** The execution history: one row per connector run, newest first when read. */
export const eventsRepo = {
  async insert(db: Kysely<Database>, row: EventRow): Promise<void> {
    await db.insertInto('events').values(row).execute();
  },

  /** One statement per 100 rows: well under SQLite's bound-parameter limit (13 columns each). */
  async insertMany(db: Kysely<Database>, rows: EventRow[]): Promise<void> {
    for (let start = 0; start < rows.length; start += 100) {
      await db
        .insertInto('events')
        .values(rows.slice(start, start + 100))
        .execute();
    }
  },

  async find(db: Kysely<Database>, filter: EventFilter): Promise<{ total: number; rows: EventRow[] }> {
    let query = db.selectFrom('events');
    if (filter.connectorId !== undefined) query = query.where('connector_id', '=', filter.connectorId);
    if (filter.typeId !== undefined) query = query.where('type_id', '=', filter.typeId);
    if (filter.outcome !== undefined) query = query.where('outcome', '=', filter.outcome);
    if (filter.subAction !== undefined) query = query.where('sub_action', '=', filter.subAction);
    if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
    if (filter.until !== undefined) query = query.where('at', '<=', filter.until);
    const [{ n }, rows] = await Promise.all([
      query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      query
        .selectAll()
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.perPage)
        .offset((filter.page - 1) * filter.perPage)
        .execute(),
    ]);
    return { total: Number(n), rows };
  },
};
