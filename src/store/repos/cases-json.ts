import { PostgresAdapter, sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Database } from '../database.js';

export type Executor = Kysely<Database> | Transaction<Database>;

/** JSON columns are text on both dialects; these keep parsing in one place. */
export const json = {
  write: (value: unknown): string => JSON.stringify(value),
  read: <T>(text: string): T => JSON.parse(text) as T,
  readNullable: <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T)),
};

/**
 * `column` contains `needle` as exact, case-sensitive text. LIKE would do on PostgreSQL but is
 * case-insensitive on SQLite, so each dialect gets its own substring function.
 */
export function containsText(db: Executor, column: string, needle: string): Expression<SqlBool> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return postgres
    ? sql<SqlBool>`strpos(${sql.ref(column)}, ${needle}) > 0`
    : sql<SqlBool>`instr(${sql.ref(column)}, ${needle}) > 0`;
}

/**
 * `column` (a JSON array of strings) holds `value` as one element: the element's JSON text
 * preceded by `[` or `,`, which an escaped quote inside another element can never be.
 */
export function jsonArrayHas(db: Executor, column: string, value: string): Expression<SqlBool> {
  const text = JSON.stringify(value);
  return sql<SqlBool>`(${containsText(db, column, `[${text}`)} or ${containsText(db, column, `,${text}`)})`;
}

/**
 * The next free position in a case's history table (comments, user actions): rows of one case
 * are numbered 1, 2, 3… so ordering never depends on timestamps. Callers hold the case row's
 * lock (the version bump) so two writers cannot take the same number.
 */
export async function nextCaseSeq(
  db: Executor,
  table: 'case_comments' | 'case_user_actions',
  caseId: string,
): Promise<number> {
  const { max } = await db
    .selectFrom(table)
    .select((eb) => eb.fn.max<number | null>('seq').as('max'))
    .where('case_id', '=', caseId)
    .executeTakeFirstOrThrow();
  return Number(max ?? 0) + 1;
}
