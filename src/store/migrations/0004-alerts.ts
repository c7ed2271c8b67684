import type { Kysely } from 'kysely';

// 0004: alert routes (API-made; config routes are not stored), per-correlation-key state, the
// deliveries each state caused, and ingest tokens. JSON as text, booleans 0/1, times ISO text.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('alert_routes')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('enabled', 'integer', (col) => col.notNull())
    .addColumn('definition', 'text', (col) => col.notNull())
    .addColumn('connector_id', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .execute();

  await db.schema
    .createTable('alert_states')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // sha256(route id + key): the key itself may be long; this is the unique handle and the
    // delivery ordering key, so one key's deliveries run in order.
    .addColumn('key_hash', 'text', (col) => col.notNull().unique())
    .addColumn('route_id', 'text', (col) => col.notNull())
    .addColumn('correlation_key', 'text', (col) => col.notNull())
    .addColumn('connector_id', 'text', (col) => col.notNull())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('rule_id', 'text', (col) => col.notNull())
    .addColumn('alert_id', 'text', (col) => col.notNull())
    .addColumn('alert_status', 'text', (col) => col.notNull())
    .addColumn('ticket_status', 'text', (col) => col.notNull())
    .addColumn('ticket_key', 'text')
    .addColumn('generation', 'integer', (col) => col.notNull())
    .addColumn('external_id', 'text')
    .addColumn('external_number', 'text')
    .addColumn('external_url', 'text')
    .addColumn('target_state', 'text')
    .addColumn('first_seen_at', 'text', (col) => col.notNull())
    .addColumn('last_seen_at', 'text', (col) => col.notNull())
    .addColumn('fired_count', 'integer', (col) => col.notNull())
    .addColumn('recovered_count', 'integer', (col) => col.notNull())
    .addColumn('skipped_count', 'integer', (col) => col.notNull())
    .addColumn('closed_at', 'text')
    .addColumn('last_action', 'text')
    .addColumn('last_reason', 'text')
    .addColumn('last_delivery_id', 'text')
    .addColumn('last_delivery_at', 'text')
    .addColumn('last_alert', 'text', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .execute();
  await db.schema.createIndex('alert_states_seen_idx').on('alert_states').columns(['last_seen_at']).execute();
  await db.schema.createIndex('alert_states_route_idx').on('alert_states').columns(['route_id']).execute();

  await db.schema
    .createTable('alert_deliveries')
    .addColumn('delivery_id', 'text', (col) => col.primaryKey())
    .addColumn('state_id', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('generation', 'integer', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('alert_deliveries_state_idx')
    .on('alert_deliveries')
    .columns(['state_id'])
    .execute();

  await db.schema
    .createTable('ingest_tokens')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('source', 'text')
    .addColumn('token_hash', 'text', (col) => col.notNull().unique())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['ingest_tokens', 'alert_deliveries', 'alert_states', 'alert_routes']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
