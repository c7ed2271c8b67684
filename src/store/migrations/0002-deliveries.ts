import { PostgresAdapter, sql, type Kysely } from 'kysely';

// 0002: the delivery queue (deliveries) and connector-wide pauses (delivery_pauses).
// Times are ISO-8601 UTC text as in 0001, so `run_at <= $now` compares correctly as text.
// Not breaking: workers of an older version do not exist. Released migrations are never edited.
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('deliveries')
    // `seq` orders deliveries that share a key (arrival order); clock text cannot, two
    // enqueues may share a millisecond. The public id stays a UUID so ids never leak volume.
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (col) =>
      postgres ? col.primaryKey() : col.primaryKey().autoIncrement(),
    )
    .addColumn('id', 'text', (col) => col.notNull().unique())
    .addColumn('connector_id', 'text', (col) => col.notNull())
    .addColumn('sub_action', 'text')
    .addColumn('params', 'text', (col) => col.notNull())
    .addColumn('key', 'text')
    // Unique, and NULL for "no key": both dialects allow many NULLs in a unique index.
    .addColumn('idempotency_key', 'text', (col) => col.unique())
    .addColumn('origin', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (col) => col.notNull())
    .addColumn('run_at', 'text', (col) => col.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    // JSON array, one entry per attempt (start, duration, outcome, error, retry decision).
    .addColumn('attempt_log', 'text', (col) => col.notNull().defaultTo('[]'))
    .addColumn('replay_of', 'text')
    .addColumn('replayed_by', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text', (col) => col.notNull())
    .addColumn('finished_at', 'text')
    .execute();

  // The claim reads only due work; a partial index keeps it small however many finished rows
  // wait for pruning. The claim's WHERE repeats this predicate verbatim so SQLite uses it too.
  await db.schema
    .createIndex('deliveries_due_idx')
    .on('deliveries')
    .columns(['run_at', 'seq'])
    .where(sql.ref('status'), 'in', ['queued', 'retrying'])
    .execute();
  // "Is an earlier delivery with my key still unfinished?" is asked for every candidate.
  await db.schema.createIndex('deliveries_key_idx').on('deliveries').columns(['key', 'seq']).execute();
  // Lists (newest first, by status or connector), stale-lease sweeps and pruning.
  await db.schema
    .createIndex('deliveries_status_idx')
    .on('deliveries')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_connector_idx')
    .on('deliveries')
    .columns(['connector_id', 'created_at'])
    .execute();

  await db.schema
    .createTable('delivery_pauses')
    .addColumn('connector_id', 'text', (col) => col.primaryKey())
    .addColumn('until', 'text', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('delivery_pauses').execute();
  await db.schema.dropTable('deliveries').execute();
}
