import type { CaseUser, NewUserAction, UserActionRecord } from '../../domain/cases/types.js';
import { encodeVersion } from '../../domain/cases/version.js';
import type { CaseUserActionsTable } from '../database.js';
import { json, nextCaseSeq, type Executor } from './cases-json.js';

export type UserActionRow = CaseUserActionsTable;

export function userActionFromRow(row: UserActionRow): UserActionRecord {
  return {
    id: row.id,
    case_id: row.case_id,
    seq: row.seq,
    type: row.type as UserActionRecord['type'],
    action: row.action as UserActionRecord['action'],
    payload: json.read(row.payload),
    comment_id: row.comment_id,
    owner: row.owner,
    created_at: row.created_at,
    created_by: json.read<CaseUser>(row.created_by),
    // User actions are never edited; every one is at its first version.
    version: encodeVersion(1),
  };
}

/** A case's history, appended in order. Callers hold the case row's lock when appending. */
export const caseUserActionsRepo = {
  async append(
    db: Executor,
    entry: { caseId: string; owner: string; at: string; by: CaseUser; ids: string[] },
    actions: NewUserAction[],
  ): Promise<void> {
    if (actions.length === 0) return;
    const start = await nextCaseSeq(db, 'case_user_actions', entry.caseId);
    await db
      .insertInto('case_user_actions')
      .values(
        actions.map((action, index) => ({
          id: entry.ids[index] as string,
          case_id: entry.caseId,
          seq: start + index,
          type: action.type,
          action: action.action,
          payload: json.write(action.payload),
          comment_id: action.comment_id,
          owner: entry.owner,
          created_at: entry.at,
          created_by: json.write(entry.by),
        })),
      )
      .execute();
  },

  async count(db: Executor, caseId: string): Promise<number> {
    const { n } = await db
      .selectFrom('case_user_actions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    return Number(n);
  },

  async listForCase(db: Executor, caseId: string): Promise<UserActionRow[]> {
    return db
      .selectFrom('case_user_actions')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('seq')
      .execute();
  },

  async page(
    db: Executor,
    caseId: string,
    options: { types?: string[]; page: number; perPage: number; order: 'asc' | 'desc' },
  ): Promise<{ total: number; rows: UserActionRow[] }> {
    let base = db.selectFrom('case_user_actions').where('case_id', '=', caseId);
    if (options.types?.length) base = base.where('type', 'in', options.types);
    const { n } = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy('seq', options.order)
      .limit(options.perPage)
      .offset((options.page - 1) * options.perPage)
      .execute();
    return { total: Number(n), rows };
  },
};
