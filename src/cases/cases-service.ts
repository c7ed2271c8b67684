import { randomUUID } from 'node:crypto';
import { caseErrors } from '../domain/cases/case-errors.js';
import {
  changedFields,
  closureChange,
  userActionsForChanges,
  type CasePatch,
} from '../domain/cases/case-update.js';
import { isKnownOwner, limits } from '../domain/cases/limits.js';
import type {
  CaseConnector,
  CaseRecord,
  CaseResponse,
  CaseSeverity,
  CaseUser,
  CustomField,
} from '../domain/cases/types.js';
import {
  checkAssignees,
  checkCategory,
  checkConnector,
  checkCustomFields,
  checkTags,
  checkText,
  type CustomFieldDefinition,
} from '../domain/cases/validate-case.js';
import { decodeVersion } from '../domain/cases/version.js';
import { CasebridgeError } from '../errors.js';
import { caseCommentsRepo } from '../store/repos/cases-comments-repo.js';
import { caseConfigureRepo, configurationFromRow } from '../store/repos/cases-configure-repo.js';
import {
  caseColumns,
  caseFromRow,
  casesRepo,
  type CaseFilter,
  type CaseSortField,
} from '../store/repos/cases-repo.js';
import { caseResponse } from './case-response.js';
import { finishWrite, type CaseWrite } from './case-write.js';
import type { CasesDeps } from './cases-deps.js';

export interface CreateCaseInput {
  title: string;
  description: string;
  tags: string[];
  connector: CaseConnector;
  settings: { syncAlerts: boolean };
  owner: string;
  severity?: CaseSeverity;
  assignees?: Array<{ uid: string }>;
  category?: string | null;
  customFields?: CustomField[];
}

export type CaseUpdateInput = CasePatch & { id: string; version: string; owner?: string };

export interface FindCasesInput {
  filter: CaseFilter;
  sortField: CaseSortField;
  sortOrder: 'asc' | 'desc';
  page: number;
  perPage: number;
}

/** Checks the owner exists; Kibana answers an owner the user may not use with 403. */
export function requireOwner(owner: string, operation: string): void {
  if (!isKnownOwner(owner)) throw caseErrors.unauthorized(operation, [owner]);
}

async function customFieldDefinitions(deps: CasesDeps, owner: string): Promise<CustomFieldDefinition[]> {
  const [row] = await caseConfigureRepo.list(deps.store.db, [owner]);
  return row ? (configurationFromRow(row).customFields as unknown as CustomFieldDefinition[]) : [];
}

const sortById = <T extends { id: string }>(ids: string[], rows: T[]) =>
  ids.map((id) => rows.find((row) => row.id === id)).filter((row): row is T => row !== undefined);

/** Case CRUD and search with Kibana's checks, in Kibana's order (cases-kibana.md §1.3–§1.5). */
export class CasesService {
  constructor(private readonly deps: CasesDeps) {}

  async create(input: CreateCaseInput, by: CaseUser): Promise<CaseResponse> {
    const title = checkText('title', input.title, limits.titleLength);
    const description = checkText('description', input.description, limits.descriptionLength);
    const tags = checkTags(input.tags);
    const connector = checkConnector(input.connector);
    const category = checkCategory(input.category ?? null);
    const assignees = checkAssignees(input.assignees ?? []);
    requireOwner(input.owner, 'create case');
    const customFields = checkCustomFields(
      input.customFields ?? [],
      await customFieldDefinitions(this.deps, input.owner),
      true,
    );
    const id = randomUUID();
    const now = new Date().toISOString();
    const kase: Omit<CaseRecord, 'id' | 'version'> = {
      owner: input.owner,
      title,
      description,
      tags,
      status: 'open',
      severity: input.severity ?? 'low',
      settings: input.settings,
      connector,
      assignees,
      category,
      customFields,
      external_service: null,
      created_at: now,
      created_by: by,
      updated_at: null,
      updated_by: null,
      closed_at: null,
      closed_by: null,
    };
    await this.deps.store.db.transaction().execute(async (trx) => {
      await casesRepo.insert(trx, id, kase);
      const write: CaseWrite = {
        trx,
        kase: { ...kase, id, version: '' },
        at: now,
        by,
        changes: {},
        attachmentsChanged: false,
        actions: [
          {
            type: 'create_case',
            action: 'create',
            comment_id: null,
            payload: {
              title,
              description,
              tags,
              connector,
              settings: kase.settings,
              owner: kase.owner,
              status: 'open',
              severity: kase.severity,
              assignees,
              category,
              customFields,
            },
          },
        ],
      };
      await finishWrite(this.deps, write, false);
    });
    return this.get(id, true);
  }

  async get(id: string, includeComments: boolean): Promise<CaseResponse> {
    const row = await casesRepo.get(this.deps.store.db, id);
    if (!row) throw caseErrors.caseNotFound(id);
    return caseResponse(
      row,
      includeComments ? await caseCommentsRepo.listForCase(this.deps.store.db, id) : [],
    );
  }

  async find(input: FindCasesInput) {
    if (input.perPage > limits.perPage) {
      throw caseErrors.invalid(
        `The provided perPage value is too high. The maximum allowed perPage value is ${limits.perPage}.`,
      );
    }
    if (input.page * input.perPage > limits.docsPerPage) {
      throw caseErrors.invalid(
        `The number of documents is too high. Paginating through more than ${limits.docsPerPage} documents is not possible.`,
      );
    }
    const db = this.deps.store.db;
    const [{ total, rows }, counts] = await Promise.all([
      casesRepo.find(db, input.filter, { field: input.sortField, order: input.sortOrder }, input),
      casesRepo.countByStatus(db, input.filter),
    ]);
    return {
      cases: rows.map((row) => caseResponse(row, [])),
      page: input.page,
      per_page: input.perPage,
      total,
      count_open_cases: counts.open ?? 0,
      count_in_progress_cases: counts['in-progress'] ?? 0,
      count_closed_cases: counts.closed ?? 0,
    };
  }

  /**
   * Bulk update (§1.5): every check runs over all cases before anything is written, and all
   * writes share one transaction, so a 404, 409, 406 or 400 leaves every case as it was.
   */
  async bulkUpdate(updates: CaseUpdateInput[], by: CaseUser): Promise<CaseResponse[]> {
    const db = this.deps.store.db;
    const ids = updates.map((update) => update.id);
    const rows = await casesRepo.getMany(db, ids);
    const missing = ids.filter((id) => !rows.some((row) => row.id === id));
    if (missing.length > 0) throw caseErrors.casesNotFound(missing);
    const stored = sortById(ids, rows);
    const stale = updates.filter((update, i) => decodeVersion(update.version) !== stored[i]?.version);
    if (stale.length > 0) throw caseErrors.casesStale(stale.map((update) => update.id));

    const owners = updates.filter((update) => update.owner !== undefined).map((update) => update.id);
    if (owners.length > 0) {
      throw caseErrors.invalid(`Updating the owner of a case is not allowed ids: [${owners.join(', ')}]`);
    }
    const plans = await Promise.all(
      updates.map(async (update, i) => {
        const row = stored[i]!;
        const current = caseFromRow(row);
        const patch = await this.checkPatch(update, current);
        return { row, current, changed: changedFields(current, patch) };
      }),
    );
    if (plans.every((plan) => Object.keys(plan.changed).length === 0)) {
      throw new CasebridgeError(
        'CB_ERR_CASE_UNCHANGED',
        'All update fields are identical to current version.',
      );
    }
    const now = new Date().toISOString();
    await db.transaction().execute(async (trx) => {
      for (const { row, current, changed } of plans) {
        if (Object.keys(changed).length === 0) continue;
        if (!(await casesRepo.update(trx, row.id, row.version, {}))) throw caseErrors.casesStale([row.id]);
        const next = {
          ...current,
          ...changed,
          ...closureChange(current, changed.status, now, by),
          updated_at: now,
          updated_by: by,
        };
        const write: CaseWrite = {
          trx,
          kase: current,
          at: now,
          by,
          actions: userActionsForChanges(current, changed),
          attachmentsChanged: false,
          changes: caseColumns(next),
        };
        await finishWrite(this.deps, write, true);
      }
    });
    const after = await casesRepo.getMany(
      db,
      plans.filter((p) => Object.keys(p.changed).length > 0).map((p) => p.row.id),
    );
    return sortById(ids, after).map((row) => caseResponse(row));
  }

  private async checkPatch(update: CaseUpdateInput, current: CaseRecord): Promise<CasePatch> {
    const patch: CasePatch = {};
    if (update.title !== undefined) patch.title = checkText('title', update.title, limits.titleLength);
    if (update.description !== undefined) {
      patch.description = checkText('description', update.description, limits.descriptionLength);
    }
    if (update.tags !== undefined) patch.tags = checkTags(update.tags);
    if (update.connector !== undefined) patch.connector = checkConnector(update.connector);
    if (update.category !== undefined) patch.category = checkCategory(update.category);
    if (update.assignees !== undefined) patch.assignees = checkAssignees(update.assignees);
    if (update.severity !== undefined) patch.severity = update.severity;
    if (update.status !== undefined) patch.status = update.status;
    if (update.settings !== undefined) patch.settings = update.settings;
    if (update.customFields !== undefined) {
      const checked = checkCustomFields(
        update.customFields,
        await customFieldDefinitions(this.deps, current.owner),
        false,
      );
      // Fields not named in the request keep their stored values, as Kibana merges them.
      patch.customFields = current.customFields.map(
        (field) => checked.find((given) => given.key === field.key) ?? field,
      );
      for (const field of checked) {
        if (!patch.customFields.some((kept) => kept.key === field.key)) patch.customFields.push(field);
      }
    }
    return patch;
  }

  async delete(ids: string[], by: CaseUser): Promise<void> {
    const db = this.deps.store.db;
    const rows = await casesRepo.getMany(db, ids);
    const missing = ids.filter((id) => !rows.some((row) => row.id === id));
    if (missing.length > 0) throw caseErrors.casesNotFound(missing);
    const now = new Date().toISOString();
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const write: CaseWrite = {
          trx,
          kase: caseFromRow(row),
          at: now,
          by,
          changes: {},
          attachmentsChanged: false,
          actions: [{ type: 'delete_case', action: 'delete', comment_id: null, payload: {} }],
        };
        await finishWrite(this.deps, write, false);
      }
      await casesRepo.delete(trx, ids);
      await trx
        .deleteFrom('case_user_actions')
        .where('case_id', 'in', ids)
        .where('type', '!=', 'delete_case')
        .execute();
    });
  }

  async tags(owners: string[]): Promise<string[]> {
    const values = await casesRepo.columnValues(this.deps.store.db, 'tags', owners);
    return [...new Set(values.flatMap((text) => JSON.parse(text) as string[]))].sort();
  }

  async reporters(owners: string[]): Promise<CaseUser[]> {
    const values = await casesRepo.columnValues(this.deps.store.db, 'created_by', owners);
    const byName = new Map<string, CaseUser>();
    for (const text of values) {
      const user = JSON.parse(text) as CaseUser;
      byName.set(user.username ?? '', user);
    }
    return [...byName.values()].sort((a, b) => (a.username ?? '').localeCompare(b.username ?? ''));
  }

  async statusCounts(filter: CaseFilter) {
    const counts = await casesRepo.countByStatus(this.deps.store.db, filter);
    return {
      count_open_cases: counts.open ?? 0,
      count_in_progress_cases: counts['in-progress'] ?? 0,
      count_closed_cases: counts.closed ?? 0,
    };
  }
}
