import type { Kysely } from 'kysely';
import type { Database } from '../database.js';

/** Cached OAuth access tokens, one per connector and token type; the token column is encrypted. */
export const tokensRepo = {
  async get(
    db: Kysely<Database>,
    connectorId: string,
    tokenType: string,
  ): Promise<{ token: string; expires_at: string } | undefined> {
    return db
      .selectFrom('connector_tokens')
      .select(['token', 'expires_at'])
      .where('connector_id', '=', connectorId)
      .where('token_type', '=', tokenType)
      .executeTakeFirst();
  },

  async upsert(
    db: Kysely<Database>,
    connectorId: string,
    tokenType: string,
    token: string,
    expiresAt: string,
  ): Promise<void> {
    const now = new Date().toISOString();
    await db
      .insertInto('connector_tokens')
      .values({
        connector_id: connectorId,
        token_type: tokenType,
        token,
        expires_at: expiresAt,
        created_at: now,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(['connector_id', 'token_type'])
          .doUpdateSet({ token, expires_at: expiresAt, updated_at: now }),
      )
      .execute();
  },

  async clear(db: Kysely<Database>, connectorId: string): Promise<void> {
    await db.deleteFrom('connector_tokens').where('connector_id', '=', connectorId).execute();
  },

  async listAll(
    db: Kysely<Database>,
  ): Promise<Array<{ connector_id: string; token_type: string; token: string }>> {
    return db.selectFrom('connector_tokens').select(['connector_id', 'token_type', 'token']).execute();
  },

  async updateToken(
    db: Kysely<Database>,
    connectorId: string,
    tokenType: string,
    token: string,
  ): Promise<void> {
    await db
      .updateTable('connector_tokens')
      .set({ token })
      .where('connector_id', '=', connectorId)
      .where('token_type', '=', tokenType)
      .execute();
  },
};
