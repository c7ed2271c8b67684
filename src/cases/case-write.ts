import { randomUUID } from 'node:crypto';
import type { Transaction } from 'kysely';
import { caseErrors } from '../domain/cases/case-errors.js';
import { limits } from '../domain/cases/limits.js';
import type { CaseRecord, CaseUser, NewUserAction } from '../domain/cases/types.js';
import { decodeVersion } from '../domain/cases/version.js';
import { CasebridgeError } from '../errors.js';
import type { Database } from '../store/database.js';
import { caseCommentsRepo } from '../store/repos/cases-comments-repo.js';
import { caseFromRow, casesRepo, type CaseRow } from '../store/repos/cases-repo.js';
import { caseUserActionsRepo } from '../store/repos/cases-user-actions-repo.js';
import type { CasesDeps } from './cases-deps.js';

/** What a write step sees: the locked case, the time and user of the write, and where to record. */
export interface CaseWrite {
  trx: Transaction<Database>;
  kase: CaseRecord;
  at: string;
  by: CaseUser;
  /** User actions to append, in order, after the step. */
  actions: NewUserAction[];
  /** Column changes to write on the case after the step (updated_at/by are always written). */
  changes: Partial<Omit<CaseRow, 'id' | 'version'>>;
  /** Set when attachments changed, so the counters are recomputed. */
  attachmentsChanged: boolean;
}

class LostRace extends Error {}

/**
 * Runs one change to one case in a transaction. The first statement bumps the case's version
 * (which on PostgreSQL locks the row until commit), so history positions and attachment order are
 * assigned by one writer at a time. With `version` the caller's token must still be current
 * (409 otherwise); without it a lost race is retried, since the caller asked for no precondition.
 */
export async function writeCase<T>(
  deps: CasesDeps,
  caseId: string,
  by: CaseUser,
  step: (write: CaseWrite) => Promise<T>,
  options: { version?: string; stale?: () => CasebridgeError; touch?: boolean } = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.store.db.transaction().execute(async (trx) => {
        const row = await casesRepo.get(trx, caseId);
        if (!row) throw caseErrors.caseNotFound(caseId);
        const expected = options.version === undefined ? row.version : decodeVersion(options.version);
        if (expected !== row.version || !(await casesRepo.update(trx, caseId, row.version, {}))) {
          if (options.version !== undefined) throw (options.stale ?? caseErrors.caseStale)();
          throw new LostRace();
        }
        const write: CaseWrite = {
          trx,
          kase: caseFromRow(row),
          at: new Date().toISOString(),
          by,
          actions: [],
          changes: {},
          attachmentsChanged: false,
        };
        const result = await step(write);
        await finishWrite(deps, write, options.touch ?? true);
        return result;
      });
    } catch (error) {
      if (!(error instanceof LostRace) || attempt >= 10) {
        if (error instanceof LostRace) throw caseErrors.caseStale();
        throw error;
      }
    }
  }
}

export async function finishWrite(deps: CasesDeps, write: CaseWrite, touch: boolean): Promise<void> {
  const { trx, kase } = write;
  if (write.actions.length > 0) {
    const count = await caseUserActionsRepo.count(trx, kase.id);
    if (count + write.actions.length > limits.userActionsPerCase) {
      throw new CasebridgeError(
        'CB_ERR_CASE_LIMIT_REACHED',
        `The case with case id ${kase.id} has reached the limit of ${limits.userActionsPerCase} user actions.`,
      );
    }
  }
  const counters = write.attachmentsChanged ? await caseCommentsRepo.counters(trx, kase.id) : {};
  const changes = {
    ...(touch ? { updated_at: write.at, updated_by: JSON.stringify(write.by) } : {}),
    ...write.changes,
    ...counters,
  };
  if (Object.keys(changes).length > 0)
    await trx.updateTable('cases').set(changes).where('id', '=', kase.id).execute();
  await caseUserActionsRepo.append(
    trx,
    {
      caseId: kase.id,
      owner: kase.owner,
      at: write.at,
      by: write.by,
      ids: write.actions.map(() => randomUUID()),
    },
    write.actions,
  );
  if (deps.onCaseChange && write.actions.length > 0) {
    await deps.onCaseChange(trx, { caseId: kase.id, actions: write.actions, by: write.by });
  }
}
