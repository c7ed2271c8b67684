import type { Kysely, Transaction } from 'kysely';
import type { ConnectorsTable, Database } from '../database.js';

export type ConnectorRow = ConnectorsTable;
type Executor = Kysely<Database> | Transaction<Database>;

/** Connector rows. Secrets arrive here already encrypted; this module never sees plaintext. */
export const connectorsRepo = {
  async insert(db: Executor, row: ConnectorRow): Promise<'inserted' | 'conflict'> {
    const result = await db
      .insertInto('connectors')
      .values(row)
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) === 1 ? 'inserted' : 'conflict';
  },

  async get(db: Executor, id: string): Promise<ConnectorRow | undefined> {
    return db.selectFrom('connectors').selectAll().where('id', '=', id).executeTakeFirst();
  },

  async list(db: Executor): Promise<ConnectorRow[]> {
    return db.selectFrom('connectors').selectAll().orderBy('created_at').orderBy('id').execute();
  },

  async update(
    db: Executor,
    id: string,
    changes: Pick<ConnectorRow, 'name' | 'config' | 'secrets' | 'is_missing_secrets' | 'updated_at'>,
  ): Promise<boolean> {
    const result = await db.updateTable('connectors').set(changes).where('id', '=', id).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  async updateSecrets(db: Executor, id: string, secrets: string): Promise<void> {
    await db.updateTable('connectors').set({ secrets }).where('id', '=', id).execute();
  },

  async delete(db: Executor, id: string): Promise<boolean> {
    const result = await db.deleteFrom('connectors').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  },
};
