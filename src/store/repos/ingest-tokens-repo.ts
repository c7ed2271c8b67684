import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, IngestTokensTable } from '../database.js';

export type IngestTokenRow = IngestTokensTable;

/** Ingest tokens look like `cbi_<32 base64url chars>`; the prefix tells them apart from API keys. */
export const INGEST_TOKEN_PREFIX = 'cbi_';

export function hashIngestToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export const ingestTokensRepo = {
  async create(
    db: Kysely<Database>,
    name: string,
    source: string | null,
  ): Promise<{ row: IngestTokenRow; token: string }> {
    const token = `${INGEST_TOKEN_PREFIX}${randomBytes(24).toString('base64url')}`;
    const row: IngestTokenRow = {
      id: randomUUID(),
      name,
      source,
      token_hash: hashIngestToken(token),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await db.insertInto('ingest_tokens').values(row).execute();
    return { row, token };
  },

  findActive(db: Kysely<Database>, token: string): Promise<IngestTokenRow | undefined> {
    return db
      .selectFrom('ingest_tokens')
      .selectAll()
      .where('token_hash', '=', hashIngestToken(token))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },

  async touch(db: Kysely<Database>, id: string, at: string): Promise<void> {
    await db.updateTable('ingest_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  },

  list(db: Kysely<Database>): Promise<IngestTokenRow[]> {
    return db.selectFrom('ingest_tokens').selectAll().orderBy('created_at').execute();
  },

  /** Revokes by id or by name; returns how many tokens it revoked. */
  async revoke(db: Kysely<Database>, idOrName: string): Promise<number> {
    const result = await db
      .updateTable('ingest_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },
};
