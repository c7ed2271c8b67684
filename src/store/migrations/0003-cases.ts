import type { Kysely } from 'kysely';

// 0003: cases, their attachments, their history (user actions) and per-owner configuration.
// JSON as text, booleans 0/1, times ISO-8601 text, as in 0001. Released migrations are never edited.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('title', 'text', (col) => col.notNull())
    .addColumn('description', 'text', (col) => col.notNull())
    .addColumn('tags', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('severity', 'text', (col) => col.notNull())
    .addColumn('settings', 'text', (col) => col.notNull())
    .addColumn('connector', 'text', (col) => col.notNull())
    .addColumn('assignees', 'text', (col) => col.notNull())
    .addColumn('category', 'text')
    .addColumn('custom_fields', 'text', (col) => col.notNull())
    .addColumn('external_service', 'text')
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('closed_by', 'text')
    // Kept in step with the attachments so lists and sorts need no join.
    .addColumn('total_comment', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('total_alerts', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('cases_owner_created_idx')
    .on('cases')
    .columns(['owner', 'created_at'])
    .execute();
  await db.schema.createIndex('cases_status_idx').on('cases').columns(['status']).execute();

  await db.schema
    .createTable('case_comments')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('case_id', 'text', (col) => col.notNull().references('cases.id').onDelete('cascade'))
    // Position within the case, so "case order" never depends on clock resolution.
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('body', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text')
    .addColumn('updated_by', 'text')
    .addColumn('pushed_at', 'text')
    .addColumn('pushed_by', 'text')
    .addUniqueConstraint('case_comments_case_seq_uq', ['case_id', 'seq'])
    .execute();

  await db.schema
    .createTable('case_user_actions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // No foreign key: a deleted case keeps its delete_case action, as Kibana keeps the history.
    .addColumn('case_id', 'text', (col) => col.notNull())
    .addColumn('seq', 'integer', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('payload', 'text', (col) => col.notNull())
    .addColumn('comment_id', 'text')
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addUniqueConstraint('case_user_actions_case_seq_uq', ['case_id', 'seq'])
    .execute();

  await db.schema
    .createTable('case_configurations')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('owner', 'text', (col) => col.notNull())
    .addColumn('connector', 'text', (col) => col.notNull())
    .addColumn('closure_type', 'text', (col) => col.notNull())
    .addColumn('custom_fields', 'text', (col) => col.notNull())
    .addColumn('templates', 'text', (col) => col.notNull())
    .addColumn('sync', 'text', (col) => col.notNull())
    .addColumn('created_at', 'text', (col) => col.notNull())
    .addColumn('created_by', 'text', (col) => col.notNull())
    .addColumn('updated_at', 'text')
    .addColumn('updated_by', 'text')
    .execute();
  await db.schema
    .createIndex('case_configurations_owner_idx')
    .on('case_configurations')
    .column('owner')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['case_configurations', 'case_user_actions', 'case_comments', 'cases']) {
    await db.schema.dropTable(table).execute();
  }
}
