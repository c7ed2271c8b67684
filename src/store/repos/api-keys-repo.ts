import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ApiKeysTable, Database } from '../database.js';

export type ApiKeyRow = ApiKeysTable;
export type ApiKeyRole = ApiKeysTable['role'];

/** Keys look like `cb_<32 base64url chars>`; only a SHA-256 of the whole key is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const apiKeysRepo = {
  async create(
    db: Kysely<Database>,
    name: string,
    role: ApiKeyRole,
  ): Promise<{ row: ApiKeyRow; key: string }> {
    const key = `cb_${randomBytes(24).toString('base64url')}`;
    const row: ApiKeyRow = {
      id: randomUUID(),
      name,
      role,
      key_hash: hashApiKey(key),
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await db.insertInto('api_keys').values(row).execute();
    return { row, key };
  },

  async findActiveByHash(db: Kysely<Database>, keyHash: string): Promise<ApiKeyRow | undefined> {
    return db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_hash', '=', keyHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  },

  async list(db: Kysely<Database>): Promise<ApiKeyRow[]> {
    return db.selectFrom('api_keys').selectAll().orderBy('created_at').execute();
  },

  async count(db: Kysely<Database>): Promise<number> {
    const row = await db
      .selectFrom('api_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  },

  /** Revokes by id or by name; returns how many keys it revoked. */
  async revoke(db: Kysely<Database>, idOrName: string): Promise<number> {
    const result = await db
      .updateTable('api_keys')
      .set({ revoked_at: new Date().toISOString() })
      .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  },
};
