import type { Kysely } from 'kysely';

// 0001: connectors, API keys, execution events, OAuth tokens. Released migrations are never edited.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connectors')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('type_id', 'text', (col) => col.notNull())
    .addColumn('config', 'text', (col) => col.notNull())
    .addColumn('secrets', 'text', (col) => col.notNull())
    .addColumn('is_missing_secrets', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('at', 'text', (col) => col.notNull())
    .addColumn('connector_id', 'text', (col) => col.notNull())
    .addColumn('connector_name', 'text', (col) => col.notNull())
    .addColumn('type_id', 'text', (col) => col.notNull())
    .addColumn('sub_action', 'text')
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('outcome', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('error_message', 'text')
    .addColumn('retry', 'text')
    .addColumn('duration_ms', 'integer', (col) => col.notNull())
    .addColumn('user_name', 'text')
    .execute();
  // The events list is read newest first, usually for one connector.
  await db.schema.createIndex('events_at_idx').on('events').columns(['at', 'id']).execute();
  await db.schema
    .createIndex('events_connector_at_idx')
    .on('events')
    .columns(['connector_id', 'at'])
    .execute();

  await db.schema
    .createTable('connector_tokens')
    .addColumn('connector_id', 'text', (col) => col.notNull())
    .addColumn('token_type', 'text', (col) => col.notNull())
    .addColumn('token', 'text', (col) => col.notNull())
    .addColumn('expires_at', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('connector_tokens_pk', ['connector_id', 'token_type'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['connector_tokens', 'events', 'api_keys', 'connectors']) {
    await db.schema.dropTable(table).execute();
  }
}
