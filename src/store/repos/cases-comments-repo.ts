import type { AttachmentRecord, CaseUser } from '../../domain/cases/types.js';
import { encodeVersion } from '../../domain/cases/version.js';
import type { CaseCommentsTable } from '../database.js';
import { json, nextCaseSeq, type Executor } from './cases-json.js';

export type CommentRow = CaseCommentsTable;

export function commentFromRow(row: CommentRow): AttachmentRecord {
  return {
    id: row.id,
    version: encodeVersion(row.version),
    case_id: row.case_id,
    owner: row.owner,
    type: row.type as AttachmentRecord['type'],
    body: json.read(row.body),
    created_at: row.created_at,
    created_by: json.read<CaseUser>(row.created_by),
    updated_at: row.updated_at,
    updated_by: json.readNullable(row.updated_by),
    pushed_at: row.pushed_at,
    pushed_by: json.readNullable(row.pushed_by),
  };
}

/** Case attachments, in case order (`seq`). Callers hold the case row's lock when writing. */
export const caseCommentsRepo = {
  async insert(
    db: Executor,
    rows: Array<
      Omit<CommentRow, 'seq' | 'version' | 'updated_at' | 'updated_by' | 'pushed_at' | 'pushed_by'>
    >,
  ): Promise<void> {
    if (rows.length === 0) return;
    const first = rows[0] as CommentRow;
    const start = await nextCaseSeq(db, 'case_comments', first.case_id);
    await db
      .insertInto('case_comments')
      .values(
        rows.map((row, index) => ({
          ...row,
          seq: start + index,
          version: 1,
          updated_at: null,
          updated_by: null,
          pushed_at: null,
          pushed_by: null,
        })),
      )
      .execute();
  },

  async get(db: Executor, caseId: string, id: string): Promise<CommentRow | undefined> {
    return db
      .selectFrom('case_comments')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('id', '=', id)
      .executeTakeFirst();
  },

  async listForCase(db: Executor, caseId: string): Promise<CommentRow[]> {
    return db.selectFrom('case_comments').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
  },

  async page(
    db: Executor,
    caseId: string,
    options: { page: number; perPage: number; order: 'asc' | 'desc' },
  ): Promise<{ total: number; rows: CommentRow[] }> {
    const base = db.selectFrom('case_comments').where('case_id', '=', caseId);
    const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('seq', options.order)
      .limit(options.perPage)
      .offset((options.page - 1) * options.perPage)
      .execute();
    return { total: Number(n), rows };
  },

  async update(
    db: Executor,
    id: string,
    expected: number,
    changes: Pick<CommentRow, 'body' | 'type' | 'updated_at' | 'updated_by'>,
  ): Promise<boolean> {
    const result = await db
      .updateTable('case_comments')
      .set({ ...changes, version: expected + 1 })
      .where('id', '=', id)
      .where('version', '=', expected)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  },

  /** Marks every not-yet-pushed attachment of the case as pushed (§3.1 step 11). */
  async markPushed(db: Executor, caseId: string, pushedAt: string, pushedBy: CaseUser): Promise<void> {
    await db
      .updateTable('case_comments')
      .set((eb) => ({ pushed_at: pushedAt, pushed_by: json.write(pushedBy), version: eb('version', '+', 1) }))
      .where('case_id', '=', caseId)
      .where('pushed_at', 'is', null)
      .execute();
  },

  async delete(db: Executor, caseId: string, ids?: string[]): Promise<void> {
    let q = db.deleteFrom('case_comments').where('case_id', '=', caseId);
    if (ids !== undefined) q = q.where('id', 'in', ids);
    await q.execute();
  },

  /** Recomputes the case's counters from its attachments, so they can never drift. */
  async counters(db: Executor, caseId: string): Promise<{ total_comment: number; total_alerts: number }> {
    const rows = await db
      .selectFrom('case_comments')
      .select(['type', 'body'])
      .where('case_id', '=', caseId)
      .where('type', 'in', ['user', 'alert', 'actions'])
      .execute();
    let comments = 0;
    let alerts = 0;
    for (const row of rows) {
      if (row.type !== 'alert') comments += 1;
      else {
        const ids = json.read<{ alertId?: unknown }>(row.body).alertId;
        alerts += Array.isArray(ids) ? ids.length : 1;
      }
    }
    return { total_comment: comments, total_alerts: alerts };
  },
};
