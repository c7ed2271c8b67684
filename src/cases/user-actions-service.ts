import { caseErrors } from '../domain/cases/case-errors.js';
import { limits } from '../domain/cases/limits.js';
import { connectorPushStates, type ConnectorPushState } from '../domain/cases/needs-push.js';
import type { UserActionRecord } from '../domain/cases/types.js';
import { casesRepo } from '../store/repos/cases-repo.js';
import { caseUserActionsRepo, userActionFromRow } from '../store/repos/cases-user-actions-repo.js';
import type { CasesDeps } from './cases-deps.js';

/** Kibana's `types` filter names groups as well as exact types; groups map onto our stored type. */
const typeGroups: Record<string, string> = {
  user: 'comment',
  alert: 'comment',
  action: 'comment',
  attachment: 'comment',
};

/** Kibana's payload: the position a push covered is casebridge bookkeeping (push-comments.ts). */
function publicPayload(payload: Record<string, unknown>): Record<string, unknown> {
  if (!('coveredSeq' in payload)) return payload;
  const { coveredSeq: _covered, ...rest } = payload;
  return rest;
}

const shared = (action: UserActionRecord) => ({
  type: action.type,
  action: action.action,
  payload: publicPayload(action.payload),
  comment_id: action.comment_id,
  owner: action.owner,
  created_at: action.created_at,
  created_by: action.created_by,
});

/** A case's history: the paged `_find`, the deprecated full list, and the per-connector push view. */
export class UserActionsService {
  constructor(private readonly deps: CasesDeps) {}

  private async requireCase(caseId: string): Promise<void> {
    if (!(await casesRepo.get(this.deps.store.db, caseId))) throw caseErrors.caseNotFound(caseId);
  }

  async find(
    caseId: string,
    options: { types?: string[]; sortOrder: 'asc' | 'desc'; page: number; perPage: number },
  ) {
    await this.requireCase(caseId);
    if (options.perPage > limits.perPage) {
      throw caseErrors.invalid(
        `The provided perPage value is too high. The maximum allowed perPage value is ${limits.perPage}.`,
      );
    }
    const types = options.types?.map((type) => typeGroups[type] ?? type);
    const { total, rows } = await caseUserActionsRepo.page(this.deps.store.db, caseId, {
      ...(types ? { types } : {}),
      page: options.page,
      perPage: options.perPage,
      order: options.sortOrder,
    });
    return {
      userActions: rows.map((row) => {
        const action = userActionFromRow(row);
        return { id: action.id, version: action.version, ...shared(action) };
      }),
      page: options.page,
      perPage: options.perPage,
      total,
    };
  }

  /** The deprecated unpaged list, oldest first, with `action_id` and `case_id` as 8.x returns it. */
  async list(caseId: string) {
    await this.requireCase(caseId);
    const rows = await caseUserActionsRepo.listForCase(this.deps.store.db, caseId);
    return rows.map((row) => {
      const action = userActionFromRow(row);
      return { action_id: action.id, case_id: action.case_id, ...shared(action) };
    });
  }

  async history(caseId: string): Promise<UserActionRecord[]> {
    return (await caseUserActionsRepo.listForCase(this.deps.store.db, caseId)).map(userActionFromRow);
  }

  /** `/internal/cases/{id}/_connectors`, with the names connectors have now. */
  async connectors(caseId: string): Promise<Record<string, ConnectorPushState>> {
    await this.requireCase(caseId);
    const states = connectorPushStates(await this.history(caseId), new Map());
    const names = new Map<string, string>();
    for (const id of Object.keys(states)) {
      const record = await this.deps.actions.findRecord(id);
      if (record) names.set(id, record.name);
    }
    return connectorPushStates(await this.history(caseId), names);
  }
}
