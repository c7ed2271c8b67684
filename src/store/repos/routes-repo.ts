import type { Kysely } from 'kysely';
import type { AlertRoutesTable, Database } from '../database.js';

export type AlertRouteRow = AlertRoutesTable;

export const routesRepo = {
  list(db: Kysely<Database>): Promise<AlertRouteRow[]> {
    return db.selectFrom('alert_routes').selectAll().orderBy('position').orderBy('id').execute();
  },

  get(db: Kysely<Database>, id: string): Promise<AlertRouteRow | undefined> {
    return db.selectFrom('alert_routes').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async insert(db: Kysely<Database>, row: AlertRouteRow): Promise<void> {
    await db.insertInto('alert_routes').values(row).execute();
  },

  async update(db: Kysely<Database>, row: AlertRouteRow): Promise<boolean> {
    const { id, created_at: _created, ...rest } = row;
    const result = await db.updateTable('alert_routes').set(rest).where('id', '=', id).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  async remove(db: Kysely<Database>, id: string): Promise<boolean> {
    const result = await db.deleteFrom('alert_routes').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  },
};
